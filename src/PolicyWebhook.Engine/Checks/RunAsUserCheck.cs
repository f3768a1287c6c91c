using PolicyWebhook.Engine.Evaluation;

namespace PolicyWebhook.Engine.Checks;

/*
 * Containers must not name the root user (uid 0) explicitly.
 *
 * Restricted fields:
 *   spec.securityContext.runAsUser
 *   spec.containers[*].securityContext.runAsUser
 *   spec.initContainers[*].securityContext.runAsUser
 *   spec.ephemeralContainers[*].securityContext.runAsUser
 * Allowed values: any non-zero uid, undefined
 */
public sealed class RunAsUserCheck : PssCheck
{
    public override string Id => "runAsUser";

    public override CheckLevel Level => CheckLevel.Restricted;

    public override string Title => "running as uid 0";

    public override IReadOnlyList<CheckVersion> Versions { get; } = [Since(23, V1Dot23)];

    private static void V1Dot23(PodView pod, Findings findings)
    {
        if (pod.SecurityContext?.RunAsUser == 0)
        {
            findings.Add(pod.PathOf("securityContext.runAsUser"), "pod must not set securityContext.runAsUser=0", "0", "a non-zero uid or unset");
        }

        foreach (var container in pod.Containers)
        {
            if (container.SecurityContext?.RunAsUser == 0)
            {
                findings.Add(
                    container.PathOf("securityContext.runAsUser"),
                    $"{container.Subject} must not set securityContext.runAsUser=0",
                    "0",
                    "a non-zero uid or unset");
            }
        }
    }
}
