using PolicyWebhook.Engine.Evaluation;

namespace PolicyWebhook.Engine.Checks;

/*
 * A process must not gain more privileges than its parent (setuid binaries, file capabilities).
 *
 * Restricted fields:
 *   spec.containers[*].securityContext.allowPrivilegeEscalation
 *   spec.initContainers[*].securityContext.allowPrivilegeEscalation
 *   spec.ephemeralContainers[*].securityContext.allowPrivilegeEscalation
 * Allowed values: false (it must be set; the runtime default is true)
 * From v1.25 a pod with spec.os.name=windows is exempt.
 */
public sealed class AllowPrivilegeEscalationCheck : PssCheck
{
    public override string Id => "allowPrivilegeEscalation";

    public override CheckLevel Level => CheckLevel.Restricted;

    public override string Title => "privilege escalation";

    public override IReadOnlyList<CheckVersion> Versions { get; } = [Since(8, V1Dot8), Since(25, V1Dot25)];

    private static void V1Dot8(PodView pod, Findings findings)
    {
        foreach (var container in pod.Containers)
        {
            var value = container.SecurityContext?.AllowPrivilegeEscalation;
            if (value != false)
            {
                findings.Add(
                    container.PathOf("securityContext.allowPrivilegeEscalation"),
                    $"{container.Subject} must set securityContext.allowPrivilegeEscalation=false",
                    Text.OrUnset(value),
                    "false");
            }
        }
    }

    private static void V1Dot25(PodView pod, Findings findings)
    {
        if (!pod.IsWindows)
        {
            V1Dot8(pod, findings);
        }
    }
}
