using PolicyWebhook.Engine.Evaluation;

namespace PolicyWebhook.Engine.Checks;

/*
 * Privileged containers disable most of the isolation a container has.
 *
 * Restricted fields:
 *   spec.containers[*].securityContext.privileged
 *   spec.initContainers[*].securityContext.privileged
 *   spec.ephemeralContainers[*].securityContext.privileged
 * Allowed values: false, undefined
 */
public sealed class PrivilegedCheck : PssCheck
{
    public override string Id => "privileged";

    public override CheckLevel Level => CheckLevel.Baseline;

    public override string Title => "privileged containers";

    public override IReadOnlyList<CheckVersion> Versions { get; } = [Since(0, V1Dot0)];

    private static void V1Dot0(PodView pod, Findings findings)
    {
        foreach (var container in pod.Containers)
        {
            if (container.SecurityContext?.Privileged == true)
            {
                findings.Add(
                    container.PathOf("securityContext.privileged"),
                    $"{container.Subject} must not set securityContext.privileged=true",
                    "true",
                    "false or unset");
            }
        }
    }
}
