using PolicyWebhook.Cli.Commands;
using PolicyWebhook.Engine;

namespace PolicyWebhook.Cli.Output;

/// <summary>The human report: one block per object, each violation in the webhook's own words.</summary>
internal static partial class TextReport
{
    public static void Write(CheckRun run, TextWriter output)
    {
        foreach (var item in run.Results)
        {
            var result = item.Result;
            var verdict = !result.Allowed ? "DENIED" : result.Violations.Count > 0 ? "WARNED" : "ALLOWED";
            var why = result.PoliciesApplied == 0 ? ": allowed because no policy matched it" : string.Empty;
            output.WriteLine($"{verdict,-8}{result.Kind} \"{result.Name}\" {NamespaceText(result.Namespace)} ({item.Source}:{item.Line}){why}");
            foreach (var violation in InObjectOrder(item))
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
        if (run.Skipped > 0)
        {
            output.Write($"; {run.Skipped} other {Plural(run.Skipped, "document")} carried no pod spec");
        }

        if (run.NotObjects.Count > 0)
        {
            output.Write($"; {run.NotObjects.Count} {Plural(run.NotObjects.Count, "document")} skipped");
        }

        if (run.UnreadableFiles > 0)
        {
            output.Write($"; {run.UnreadableFiles} {Plural(run.UnreadableFiles, "file")} could not be read in full (exit code 2)");
        }

        output.WriteLine(".");
        foreach (var skipped in run.NotObjects)
        {
            output.WriteLine($"skipped: {skipped.Source}:{skipped.Line}: {skipped.Reason}");
        }

        foreach (var note in run.Notes)
        {
            output.WriteLine("note: " + note);
        }
    }

    /// <summary>How an object's namespace is shown: offline, one without a namespace has none, not "default".</summary>
    public static string NamespaceText(string? ns) => string.IsNullOrEmpty(ns) ? "without a namespace" : $"in namespace \"{ns}\"";

    /// <summary>The violations grouped by container, containers and pod-level fields in the order the object lists them.</summary>
    public static IEnumerable<Violation> InObjectOrder(ObjectResult item) =>
        item.Result.Violations.Select((v, i) => (v, i)).OrderBy(p => item.LineOf(ContainerPath(p.v.Path))).ThenBy(p => p.i).Select(p => p.v);

    /// <summary>The path of the container a field belongs to (<c>spec.containers[1]</c>), or the field itself.</summary>
    public static string ContainerPath(string path) => ContainerPrefix().Match(path) is { Success: true } m ? m.Value : path;

    private static string Plural(int count, string noun) => count == 1 ? noun : noun + "s";

    [System.Text.RegularExpressions.GeneratedRegex(@"^.*?\b(?:initContainers|ephemeralContainers|containers)\[\d+\]")]
    private static partial System.Text.RegularExpressions.Regex ContainerPrefix();
}
