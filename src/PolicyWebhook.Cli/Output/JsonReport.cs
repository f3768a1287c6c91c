using System.Text.Encodings.Web;
using System.Text.Json;
using PolicyWebhook.Cli.Commands;

namespace PolicyWebhook.Cli.Output;

/// <summary>The machine report: one JSON document, <c>{"results":[...],"errors":[...],"skipped":[...],"notes":[...],"unreadableFiles":N}</c>.</summary>
internal static class JsonReport
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // output is a report for people and tools, not HTML
    };

    public static void Write(CheckRun run, TextWriter output, IReadOnlyList<UnisolatedNamespace>? unisolated = null)
    {
        var report = new
        {
            results = run.Results.Select(item => new
            {
                source = item.Source,
                index = item.Index,
                line = item.Line,
                kind = item.Result.Kind,
                @namespace = string.IsNullOrEmpty(item.Result.Namespace) ? null : item.Result.Namespace,
                name = item.Result.Name,
                allowed = item.Result.Allowed,
                policiesApplied = item.Result.PoliciesApplied,
                violations = TextReport.InObjectOrder(item).Select(v => new
                {
                    policy = v.Policy.Name,
                    policyKind = v.Policy.Kind,
                    check = v.Check,
                    mode = v.Mode.ToString(),
                    path = v.Path,
                    message = v.Message,
                    found = v.Found,
                    required = v.Required,
                }),
                waived = item.Result.Waived.Select(w => new
                {
                    exception = w.Exception.Name,
                    exceptionNamespace = w.Exception.Namespace,
                    policy = w.Violation.Policy.Name,
                    check = w.Violation.Check,
                    path = w.Violation.Path,
                    message = w.Violation.Message,
                }),
            }),
            errors = run.Errors,
            skipped = run.NotObjects.Select(s => new { source = s.Source, line = s.Line, reason = s.Reason }),
            notes = run.Notes,
            unreadableFiles = run.UnreadableFiles,
        };
        var document = JsonSerializer.SerializeToNode(report, Options)!.AsObject();
        if (unisolated is not null)
        {
            // scan only, when the cluster has an isolation rule: the namespaces no NetworkPolicy isolates as it asks.
            document["unisolatedNamespaces"] = JsonSerializer.SerializeToNode(
                unisolated.Select(u => new { @namespace = u.Namespace, policy = u.Policy, mode = u.Mode.ToString(), missing = u.Missing.Split(", ") }), Options);
        }

        output.WriteLine(document.ToJsonString(Options));
    }
}
