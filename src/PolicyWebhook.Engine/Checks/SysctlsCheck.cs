using PolicyWebhook.Engine.Evaluation;

namespace PolicyWebhook.Engine.Checks;

/*
 * Only namespaced sysctls known to be safe may be set; the rest reach the node's kernel.
 *
 * Restricted field: spec.securityContext.sysctls[*].name
 * Allowed values:
 *   v1.0:  kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, net.ipv4.ip_unprivileged_port_start,
 *          net.ipv4.tcp_syncookies, net.ipv4.ping_group_range
 *   v1.27: adds net.ipv4.ip_local_reserved_ports
 *   v1.29: adds net.ipv4.tcp_keepalive_time, net.ipv4.tcp_fin_timeout, net.ipv4.tcp_keepalive_intvl,
 *          net.ipv4.tcp_keepalive_probes
 *   v1.32: adds net.ipv4.tcp_rmem, net.ipv4.tcp_wmem
 */
public sealed class SysctlsCheck : PssCheck
{
    private static readonly HashSet<string> AllowedV1Dot0 = new(StringComparer.Ordinal)
    {
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.ip_unprivileged_port_start",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
    };

    private static readonly HashSet<string> AllowedV1Dot27 = Union(AllowedV1Dot0, "net.ipv4.ip_local_reserved_ports");

    private static readonly HashSet<string> AllowedV1Dot29 = Union(
        AllowedV1Dot27,
        "net.ipv4.tcp_keepalive_time",
        "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes");

    private static readonly HashSet<string> AllowedV1Dot32 = Union(AllowedV1Dot29, "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem");

    public override string Id => "sysctls";

    public override CheckLevel Level => CheckLevel.Baseline;

    public override string Title => "unsafe sysctls";

    public override IReadOnlyList<CheckVersion> Versions { get; } =
    [
        Since(0, (pod, findings) => Evaluate(pod, findings, AllowedV1Dot0)),
        Since(27, (pod, findings) => Evaluate(pod, findings, AllowedV1Dot27)),
        Since(29, (pod, findings) => Evaluate(pod, findings, AllowedV1Dot29)),
        Since(32, (pod, findings) => Evaluate(pod, findings, AllowedV1Dot32)),
    ];

    private static void Evaluate(PodView pod, Findings findings, HashSet<string> allowed)
    {
        if (pod.SecurityContext?.Sysctls is not { } sysctls)
        {
            return;
        }

        for (var i = 0; i < sysctls.Count; i++)
        {
            var name = sysctls[i].Name;
            if (!allowed.Contains(name ?? string.Empty))
            {
                findings.Add(
                    pod.PathOf($"securityContext.sysctls[{i}].name"),
                    $"pod must not set sysctl {Text.Quote(name)}",
                    name ?? string.Empty,
                    "one of " + string.Join(", ", allowed.Order(StringComparer.Ordinal)));
            }
        }
    }

    private static HashSet<string> Union(HashSet<string> previous, params string[] added) =>
        new(previous.Concat(added), StringComparer.Ordinal);
}
