using System.Diagnostics;
using PolicyWebhook.Host.Admission;

namespace PolicyWebhook.Host.Telemetry;

/// <summary>One span per admission request, with its uid, kind, namespace, operation and decision.</summary>
public static class AdmissionTracing
{
    public const string SourceName = "PolicyWebhook";

    public static ActivitySource Source { get; } = new(SourceName);

    public static AdmissionHandler Wrap(AdmissionHandler next, string webhook)
    {
        ArgumentNullException.ThrowIfNull(next);
        return request =>
        {
            using var activity = Source.StartActivity($"admission {webhook}", ActivityKind.Internal);
            if (activity is null)
            {
                return next(request);
            }

            activity.SetTag("admission.uid", request.Uid);
            activity.SetTag("admission.operation", request.Operation);
            activity.SetTag("admission.dry_run", request.DryRun);
            activity.SetTag("k8s.kind", request.Kind);
            activity.SetTag("k8s.namespace.name", request.Namespace);
            activity.SetTag("k8s.object.name", request.Name);
            try
            {
                var outcome = next(request);
                activity.SetTag("admission.decision", outcome.Decision);
                activity.SetTag("admission.violations", outcome.Violations.Count);
                return outcome;
            }
            catch (Exception e)
            {
                activity.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
                activity.SetTag("admission.decision", Decisions.Error);
                throw;
            }
        };
    }
}
