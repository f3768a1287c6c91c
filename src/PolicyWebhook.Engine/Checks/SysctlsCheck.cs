using PolicyWebhook.Engine.Evaluation;

namespace PolicyWebhook.Engine.Checks;

/// <summary>
/// A site's parameters for sysctls (PSP allowedUnsafeSysctls and forbiddenSysctls; Gatekeeper allowedSysctls): names
/// allowed, replacing the standard's safe set (null keeps it; empty allows none), and names forbidden, which win.
/// A name ending in <c>*</c> matches every name it begins (<c>kernel.*</c>); a lone <c>*</c> matches all.
/// </summary>
public sealed record SysctlsOptions(IReadOnlyList<string>? Allowed, IReadOnlyList<string>? Forbidden);

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
 * With parameters (SysctlsOptions): names matching Allowed (the version's set above when null) and no Forbidden one.
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

    /// <summary>The check with a site's allowed and forbidden names; the standard's set of <paramref name="version"/> when none is allowed explicitly.</summary>
    public static PodCheck With(SysctlsOptions options, PssVersion version)
    {
        ArgumentNullException.ThrowIfNull(options);
        var minor = version.EffectiveMinor;
        var safe = minor >= 32 ? AllowedV1Dot32 : minor >= 29 ? AllowedV1Dot29 : minor >= 27 ? AllowedV1Dot27 : AllowedV1Dot0;
        var allowed = options.Allowed ?? [.. safe.Order(StringComparer.Ordinal)];
        var forbidden = options.Forbidden ?? [];
        var allowedText = allowed.Count == 0 ? "none" : Text.QuoteAll(allowed);
        return (pod, findings) =>
        {
            if (pod.SecurityContext?.Sysctls is not { } sysctls)
            {
                return;
            }

            for (var i = 0; i < sysctls.Count; i++)
            {
                var name = sysctls[i]?.Name ?? string.Empty;
                var path = pod.PathOf($"securityContext.sysctls[{i}].name");
                if (forbidden.FirstOrDefault(f => Matches(f, name)) is { } rule)
                {
                    findings.Add(path, $"pod must not set sysctl {Text.Quote(name)} (forbidden by {Text.Quote(rule)})", name, "none of " + Text.QuoteAll(forbidden));
                }
                else if (!allowed.Any(a => Matches(a, name)))
                {
                    findings.Add(path, $"pod must not set sysctl {Text.Quote(name)} (allowed: {allowedText})", name, allowed.Count == 0 ? "no sysctl" : "one of " + allowedText);
                }
            }
        };
    }

    /// <summary>True when <paramref name="pattern"/> (a name, a prefix ending in <c>*</c>, or <c>*</c>) matches <paramref name="name"/>.</summary>
    public static bool Matches(string pattern, string name)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(name);
        return pattern.EndsWith('*')
            ? name.StartsWith(pattern[..^1], StringComparison.Ordinal)
            : string.Equals(pattern, name, StringComparison.Ordinal);
    }

    private static HashSet<string> Union(HashSet<string> previous, params string[] added) =>
        new(previous.Concat(added), StringComparer.Ordinal);
}
