using PolicyWebhook.Engine.Evaluation;

namespace PolicyWebhook.Engine.Checks;

/*
 * Containers must run as a non-root user.
 *
 * Restricted fields:
 *   spec.securityContext.runAsNonRoot
 *   spec.containers[*].securityContext.runAsNonRoot
 *   spec.initContainers[*].securityContext.runAsNonRoot
 *   spec.ephemeralContainers[*].securityContext.runAsNonRoot
 * Allowed values: true; a container may leave it unset when the pod sets true. False is never allowed.
 * When no container sets it and the pod does not either, the fix is said once, at pod level, for two containers or
 * more: "pod must set securityContext.runAsNonRoot=true once, or on each of the 3 containers".
 * From v1.35 any value is allowed for a pod in its own user namespace (spec.hostUsers=false): root in the
 * container is an unprivileged uid on the node. Versions before v1.35 stay strict, as in Pod Security Admission
 * 1.35 and 1.36: its relaxation used to hang on the UserNamespacesPodSecurityStandards feature gate, alpha and off
 * by default, so when the gate was removed upstream kept the old versions strict and relaxed only from v1.35 on.
 */
public sealed class RunAsNonRootCheck : PssCheck
{
    public override string Id => "runAsNonRoot";

    public override CheckLevel Level => CheckLevel.Restricted;

    public override string Title => "running as root";

    public override IReadOnlyList<CheckVersion> Versions { get; } = [Since(0, V1Dot0), Since(35, V1Dot35)];

    private static void V1Dot0(PodView pod, Findings findings)
    {
        var podValue = pod.SecurityContext?.RunAsNonRoot;
        if (podValue == false)
        {
            findings.Add(
                pod.PathOf("securityContext.runAsNonRoot"),
                "pod must not set securityContext.runAsNonRoot=false",
                "false",
                "true");
        }

        if (podValue is null && PodLevel.NoneSets(pod, c => c.SecurityContext?.RunAsNonRoot is not null) is > 1 and var count)
        {
            findings.AddForEveryContainer(
                pod.PathOf("securityContext.runAsNonRoot"),
                $"pod must set securityContext.runAsNonRoot=true once, or on each of the {count} containers",
                "unset in the pod and in every container",
                "true in the pod's securityContext (or in each container's)");
            return;
        }

        foreach (var container in pod.Containers)
        {
            var value = container.SecurityContext?.RunAsNonRoot;
            if (value == false)
            {
                findings.Add(
                    container.PathOf("securityContext.runAsNonRoot"),
                    $"{container.Subject} must not set securityContext.runAsNonRoot=false",
                    "false",
                    "true");
            }
            else if (value is null && podValue != true)
            {
                findings.Add(
                    container.PathOf("securityContext.runAsNonRoot"),
                    $"{container.Subject} must set securityContext.runAsNonRoot=true",
                    "unset",
                    "true (here or in the pod's securityContext)");
            }
        }
    }

    private static void V1Dot35(PodView pod, Findings findings)
    {
        if (!pod.InUserNamespace)
        {
            V1Dot0(pod, findings);
        }
    }
}
