using System.Text;

namespace PolicyWebhook.Host.Admission;

/// <summary>
/// One structured log line per decision: uid, operation, kind, namespace, name, user, decision and the checks
/// violated. Never the object, never a message (a message can hold values from the object).
/// </summary>
public static partial class DecisionLogging
{
    public static AdmissionHandler Wrap(AdmissionHandler next, ILogger logger, string webhook)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(logger);
        return request =>
        {
            var outcome = next(request);
            if (outcome.Decision == Decisions.Skipped ? logger.IsEnabled(LogLevel.Debug) : logger.IsEnabled(LogLevel.Information))
            {
                var level = outcome.Decision == Decisions.Skipped ? LogLevel.Debug : LogLevel.Information;
                var checks = ChecksViolated(outcome);
                LogDecision(logger, level, webhook, request.Uid, request.Operation, request.Kind, request.Namespace ?? "", request.Name ?? "",
                    request.User ?? "", outcome.Decision, checks, request.DryRun);
                if (outcome.Waived.Count > 0)
                {
                    foreach (var group in outcome.Waived.GroupBy(w => w.Exception))
                    {
                        var waived = string.Join(", ", group.Select(w => $"{w.Violation.Policy.Name}/{w.Violation.Check}").Distinct(StringComparer.Ordinal));
                        var exception = group.Key.ToString();
                        LogWaived(logger, webhook, request.Uid, request.Kind, request.Namespace ?? "", request.Name ?? "", exception, waived);
                    }
                }
            }

            return outcome;
        };
    }

    /// <summary>The checks violated, as <c>policy/check(mode)</c>, comma-separated; empty when none.</summary>
    internal static string ChecksViolated(AdmissionOutcome outcome)
    {
        if (outcome.Violations.Count == 0)
        {
            return string.Empty;
        }

        var text = new StringBuilder();
        foreach (var group in outcome.Violations.GroupBy(v => (v.Policy.Name, v.Check, v.Mode)))
        {
            if (text.Length > 0)
            {
                text.Append(", ");
            }

            text.Append(group.Key.Name).Append('/').Append(group.Key.Check).Append('(').Append(group.Key.Mode).Append(')');
        }

        return text.ToString();
    }

    // The namespace parameters are named Namespace, not @namespace: the generator keys the state by the parameter's
    // name, and a log query for Namespace must find it beside Kind and Name.
    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "{Webhook} {Uid}: {Kind} {Namespace}/{Name} allowed by exception: {Exception} waived {ChecksWaived}")]
    private static partial void LogWaived(ILogger logger, string webhook, string uid, string kind, string Namespace, string name, string exception, string checksWaived);

    [LoggerMessage(EventId = 1, Message = "{Webhook} {Uid}: {Operation} {Kind} {Namespace}/{Name} by {User}: {Decision} {ChecksViolated} (dryRun={DryRun})")]
    private static partial void LogDecision(
        ILogger logger, LogLevel level, string webhook, string uid, string operation, string kind, string Namespace, string name,
        string user, string decision, string checksViolated, bool dryRun);
}
