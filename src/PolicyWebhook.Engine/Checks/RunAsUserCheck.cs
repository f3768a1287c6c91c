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
 * From v1.35 any uid is allowed for a pod in its own user namespace (spec.hostUsers=false), where uid 0 maps to an
 * unprivileged uid on the node. v1.23 to v1.34 stay strict, matching Pod Security Admission 1.35 and 1.36: the
 * relaxation was behind the alpha UserNamespacesPodSecurityStandards gate (off by default) until upstream removed
 * the gate and added it as a new v1.35 version instead of changing the old ones.
 */
public sealed class RunAsUserCheck : PssCheck
{
    public override string Id => "runAsUser";

    public override CheckLevel Level => CheckLevel.Restricted;

    public override string Title => "running as uid 0";

    public override IReadOnlyList<CheckVersion> Versions { get; } = [Since(23, V1Dot23), Since(35, V1Dot35)];

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

    private static void V1Dot35(PodView pod, Findings findings)
    {
        if (!pod.InUserNamespace)
        {
            V1Dot23(pod, findings);
        }
    }
}
