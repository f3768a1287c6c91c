using PolicyWebhook.Cli.Commands;
using PolicyWebhook.Engine;

namespace PolicyWebhook.Cli.Output;

/// <summary><c>--summary</c>: findings counted by check, by policy and by file, to see what enforcing would break.</summary>
internal static class SummaryReport
{
    public static void Write(CheckRun run, TextWriter output)
    {
        var findings = run.Results.SelectMany(r => r.Result.Violations.Select(v => (r.Source, Violation: v))).ToList();
        output.WriteLine();
        output.WriteLine($"Summary: {findings.Count} {(findings.Count == 1 ? "finding" : "findings")} in {run.Results.Count(r => r.Result.Violations.Count > 0)} of {run.Results.Count} objects.");
        Table(output, "By check", findings.GroupBy(f => f.Violation.Check));
        Table(output, "By policy", findings.GroupBy(f => $"{f.Violation.Policy.Kind} \"{f.Violation.Policy.Name}\""));
        Table(output, "By file", findings.GroupBy(f => f.Source));
    }

    private static void Table(TextWriter output, string title, IEnumerable<IGrouping<string, (string Source, Violation Violation)>> groups)
    {
        var rows = groups
            .Select(g => (Key: g.Key, Findings: g.Count(), Denying: g.Count(f => f.Violation.Mode == PolicyMode.Enforce)))
            .OrderByDescending(r => r.Findings).ThenBy(r => r.Key, StringComparer.Ordinal)
            .ToList();
        if (rows.Count == 0)
        {
            return;
        }

        var width = Math.Max(rows.Max(r => r.Key.Length), title.Length) + 2;
        output.WriteLine();
        output.WriteLine($"{title.PadRight(width)}{"FINDINGS",10}{"ENFORCED",10}");
        foreach (var row in rows)
        {
            output.WriteLine($"{row.Key.PadRight(width)}{row.Findings,10}{row.Denying,10}");
        }
    }
}
