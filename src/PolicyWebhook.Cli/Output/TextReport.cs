using PolicyWebhook.Cli.Commands;
using PolicyWebhook.Engine;

namespace PolicyWebhook.Cli.Output;

/// <summary>The human report: one block per object, each violation in the webhook's own words.</summary>
internal static class TextReport
{
    public static void Write(CheckRun run, TextWriter output)
    {
        foreach (var item in run.Results)
        {
            var result = item.Result;
            var verdict = !result.Allowed ? "DENIED" : result.Violations.Count > 0 ? "WARNED" : "ALLOWED";
            output.WriteLine($"{verdict,-8}{result.Kind} \"{result.Name}\" in namespace \"{result.Namespace}\" ({item.Source}:{item.Line})");
            foreach (var violation in result.Violations)
            {
                output.WriteLine($"  [{violation.Mode}] {VerdictText.Line(violation)}");
                output.WriteLine($"      found: {violation.Found}; required: {violation.Required}");
            }

            foreach (var waived in result.Waived)
            {
                output.WriteLine($"  [waived by {waived.Exception}] {VerdictText.Line(waived.Violation)}");
            }
        }

        var denied = run.Results.Count(r => !r.Result.Allowed);
        var warned = run.Results.Count(r => r.Result.Allowed && r.Result.Violations.Count > 0);
        output.WriteLine();
        output.Write($"{run.Results.Count} {(run.Results.Count == 1 ? "object" : "objects")} checked: {run.Results.Count - denied - warned} allowed, {warned} allowed with findings, {denied} denied");
        output.WriteLine(run.Skipped > 0 ? $"; {run.Skipped} other {(run.Skipped == 1 ? "document" : "documents")} carried no pod spec." : ".");
    }
}
