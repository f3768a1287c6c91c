using PolicyWebhook.Cli.Commands;
using PolicyWebhook.Engine;

namespace PolicyWebhook.Cli.Output;

/// <summary>The scan report for people: violations grouped by namespace, then by policy, in the webhook's words.</summary>
internal static class ScanReport
{
    public static void Write(ScanRun run, TextWriter output)
    {
        output.WriteLine($"Policies: {run.PolicyOrigin}.");
        foreach (var byNamespace in run.Results.GroupBy(r => r.Result.Namespace).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            output.WriteLine();
            output.WriteLine($"namespace {byNamespace.Key}");
            var violations = byNamespace.SelectMany(r => r.Result.Violations.Select(v => (r.Result, Violation: v)));
            foreach (var byPolicy in violations.GroupBy(x => x.Violation.Policy).OrderBy(g => g.Key.ToString(), StringComparer.Ordinal))
            {
                output.WriteLine($"  {byPolicy.Key}");
                foreach (var (result, violation) in byPolicy)
                {
                    output.WriteLine($"    [{violation.Mode}] {result.Kind} \"{result.Name}\": {violation}");
                }
            }

            foreach (var waived in byNamespace.SelectMany(r => r.Result.Waived.Select(w => (r.Result, Waived: w))))
            {
                output.WriteLine($"  waived by {waived.Waived.Exception}: {waived.Result.Kind} \"{waived.Result.Name}\": {waived.Waived.Violation}");
            }
        }

        if (run.Unisolated is { Count: > 0 } unisolated)
        {
            output.WriteLine();
            output.WriteLine("Namespaces without network isolation:");
            foreach (var gap in unisolated)
            {
                output.WriteLine($"  [{gap.Mode}] namespace {gap.Namespace}: no NetworkPolicy with podSelector: {{}} for {gap.Missing} (ClusterPolicy \"{gap.Policy}\")");
            }
        }

        var denied = run.Results.Count(r => !r.Result.Allowed);
        var findings = run.Results.Count(r => r.Result.Allowed && r.Result.Violations.Count > 0);
        output.WriteLine();
        output.WriteLine($"{run.Checked} {(run.Checked == 1 ? "workload" : "workloads")} scanned: {denied} would be denied today, {findings} allowed with findings, {run.Checked - denied - findings} compliant.");
        if (run.Exempt.Count > 0)
        {
            output.WriteLine($"Not scanned: {run.SkippedExempt} {(run.SkippedExempt == 1 ? "workload" : "workloads")} in namespaces the webhook exempts ({string.Join(", ", run.Exempt.Order(StringComparer.Ordinal))}).");
        }
    }
}
