using PolicyWebhook.Engine.Evaluation;

namespace PolicyWebhook.Engine.Checks;

/// <summary>The probes every long-running container must define: livenessProbe, readinessProbe and/or startupProbe.</summary>
public sealed record ProbesOptions(IReadOnlyList<string> Require)
{
    public static IReadOnlyList<string> Names { get; } = ["livenessProbe", "readinessProbe", "startupProbe"];

    public static ProbesOptions Default { get; } = new(["livenessProbe", "readinessProbe"]);
}

/*
 * A long-running container without probes is restarted too late and sent traffic too early.
 *
 * Restricted fields: spec.containers[*].livenessProbe, spec.containers[*].readinessProbe (by default)
 * Required: set. Not judged: init containers, ephemeral containers, and pods that run to completion (a Job or
 * CronJob, a pod a Job owns, or restartPolicy Never or OnFailure). Kyverno require-pod-probes, Polaris.
 */
public sealed class ProbesCheck : LeastPrivilegeCheck<ProbesOptions>
{
    public override string Id => "probes";

    public override string Title => "long-running containers without probes";

    public override void Evaluate(PodView pod, ProbesOptions options, Findings findings)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(findings);
        if (RunsToCompletion(pod))
        {
            return;
        }

        foreach (var container in pod.Containers)
        {
            if (container.Kind != ContainerKind.Container)
            {
                continue;
            }

            foreach (var probe in options.Require)
            {
                var set = probe switch
                {
                    "livenessProbe" => container.LivenessProbe,
                    "readinessProbe" => container.ReadinessProbe,
                    _ => container.StartupProbe,
                };
                if (set is null)
                {
                    findings.Add(container.PathOf(probe), $"{container.Subject} must set {probe}: it runs until stopped", "unset", "a probe");
                }
            }
        }
    }

    private static bool RunsToCompletion(PodView pod) =>
        pod.Kind is "Job" or "CronJob"
        || pod.Spec.RestartPolicy is "Never" or "OnFailure"
        || pod.Metadata?.OwnerReferences?.Any(o => o.Kind == "Job") == true;
}
