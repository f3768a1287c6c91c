using System.Diagnostics;
using PolicyWebhook.Host.Admission;

namespace PolicyWebhook.Host.Telemetry;

/// <summary>Counts every answer by decision and mode, times it, and counts its violations by policy and check.</summary>
public static class AdmissionMetering
{
    public static AdmissionHandler Wrap(AdmissionHandler next, AdmissionMetrics metrics, string webhook)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(metrics);
        return request =>
        {
            var started = Stopwatch.GetTimestamp();
            var tags = AdmissionRequestTags.Of(request);
            AdmissionOutcome outcome;
            try
            {
                outcome = next(request);
            }
            catch
            {
                metrics.RecordRequest(webhook, tags, Decisions.Error, "none", Stopwatch.GetElapsedTime(started).TotalSeconds);
                throw;
            }

            metrics.RecordRequest(webhook, tags, outcome.Decision, outcome.Mode, Stopwatch.GetElapsedTime(started).TotalSeconds);
            if (outcome.Violations.Count > 0)
            {
                metrics.RecordViolations(outcome.Violations);
            }

            if (outcome.Waived.Count > 0)
            {
                metrics.RecordWaived(outcome.Waived);
            }

            return outcome;
        };
    }
}
