using PolicyWebhook.Engine.Evaluation;

namespace PolicyWebhook.Engine.Checks;

/*
 * Adding Linux capabilities beyond the container runtime's default set grants powers over the node.
 *
 * Restricted fields:
 *   spec.containers[*].securityContext.capabilities.add
 *   spec.initContainers[*].securityContext.capabilities.add
 *   spec.ephemeralContainers[*].securityContext.capabilities.add
 * Allowed values: undefined, or a subset of AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD,
 *   NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT
 */
public sealed class CapabilitiesBaselineCheck : PssCheck
{
    private static readonly HashSet<string> Allowed = new(StringComparer.Ordinal)
    {
        "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
        "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
    };

    public override string Id => "capabilities_baseline";

    public override CheckLevel Level => CheckLevel.Baseline;

    public override string Title => "added capabilities beyond the default set";

    public override IReadOnlyList<CheckVersion> Versions { get; } = [Since(0, V1Dot0)];

    private static void V1Dot0(PodView pod, Findings findings)
    {
        foreach (var container in pod.Containers)
        {
            if (container.SecurityContext?.Capabilities?.Add is not { Count: > 0 } added)
            {
                continue;
            }

            var forbidden = added.Where(c => !Allowed.Contains(c)).Distinct(StringComparer.Ordinal).ToList();
            if (forbidden.Count > 0)
            {
                findings.Add(
                    container.PathOf("securityContext.capabilities.add"),
                    $"{container.Subject} must not add {(forbidden.Count == 1 ? "capability" : "capabilities")} {Text.QuoteAll(forbidden)}",
                    Text.List(forbidden),
                    "only capabilities of the default set (" + string.Join(", ", Allowed.Order(StringComparer.Ordinal)) + ")");
            }
        }
    }
}
