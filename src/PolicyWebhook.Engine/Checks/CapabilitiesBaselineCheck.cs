using PolicyWebhook.Engine.Evaluation;

namespace PolicyWebhook.Engine.Checks;

/// <summary>
/// A site's parameters for the capabilities checks (PSP allowedCapabilities and requiredDropCapabilities): what may
/// be added (<c>ALL</c> or <c>*</c> for any) and what must be dropped (dropping <c>ALL</c> covers every one). Null keeps
/// the level's own rule.
/// </summary>
public sealed record CapabilitiesOptions(IReadOnlyList<string>? Allowed, IReadOnlyList<string>? RequiredDrop);

/*
 * Adding Linux capabilities beyond the container runtime's default set grants powers over the node.
 *
 * Restricted fields:
 *   spec.containers[*].securityContext.capabilities.add
 *   spec.initContainers[*].securityContext.capabilities.add
 *   spec.ephemeralContainers[*].securityContext.capabilities.add
 * Allowed values: undefined, or a subset of AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD,
 *   NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT
 * With parameters (CapabilitiesOptions): added capabilities within Allowed (the set above when null), and every
 * capability of RequiredDrop (none when null) in drop. The policy's names and a container's drop list are read
 * as the container runtime reads them (upper case, without a CAP_ prefix); an added capability must be written as
 * the standard writes it (NET_ADMIN, not cap_net_admin), and only "ALL" exactly drops every one, so that the
 * standard's own values given as parameters judge exactly as the standard does.
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

    /// <summary>The check with a site's lists; null lists keep the baseline's (the default set, nothing required dropped).</summary>
    public static PodCheck With(CapabilitiesOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return With(options.Allowed ?? [.. Allowed], options.RequiredDrop ?? []);
    }

    /// <summary>Judges added capabilities against <paramref name="allowed"/> and dropped ones against <paramref name="requiredDrop"/>.</summary>
    internal static PodCheck With(IReadOnlyList<string> allowed, IReadOnlyList<string> requiredDrop)
    {
        var allowedSet = allowed.Select(Normalize).ToHashSet(StringComparer.Ordinal);
        var anyAllowed = allowedSet.Contains("ALL") || allowedSet.Contains("*");
        var dropSet = requiredDrop.Select(Normalize).Distinct(StringComparer.Ordinal).ToList();
        var allowedText = allowedSet.Count == 0 ? "none" : Text.QuoteAll(allowedSet.Order(StringComparer.Ordinal));
        return (pod, findings) =>
        {
            foreach (var container in pod.Containers)
            {
                var capabilities = container.SecurityContext?.Capabilities;
                var dropsAll = capabilities?.Drop?.Contains("ALL") == true;
                var dropped = (capabilities?.Drop ?? []).Select(Normalize).ToHashSet(StringComparer.Ordinal);
                var missing = dropsAll ? [] : dropSet.Where(c => !(c != "ALL" && dropped.Contains(c))).ToList();
                if (missing.Count > 0)
                {
                    findings.Add(
                        container.PathOf("securityContext.capabilities.drop"),
                        $"{container.Subject} must drop {(missing.Count == 1 ? "capability" : "capabilities")} {Text.QuoteAll(missing)}",
                        capabilities?.Drop is { } drop ? Text.List(drop) : "unset",
                        dropSet.Contains("ALL") ? "[\"ALL\"]" : $"a list with {Text.QuoteAll(dropSet)}, or [\"ALL\"]");
                }

                if (!anyAllowed && capabilities?.Add is { Count: > 0 } added)
                {
                    var forbidden = added.Where(c => c is null || !allowedSet.Contains(c)).Distinct(StringComparer.Ordinal).ToList();
                    if (forbidden.Count > 0)
                    {
                        findings.Add(
                            container.PathOf("securityContext.capabilities.add"),
                            $"{container.Subject} must not add {(forbidden.Count == 1 ? "capability" : "capabilities")} {Text.QuoteAll(forbidden)} (allowed: {allowedText})",
                            Text.List(forbidden),
                            "only " + allowedText);
                    }
                }
            }
        };
    }

    /// <summary>A capability as the container runtime reads it: upper case, without the CAP_ prefix.</summary>
    public static string Normalize(string? capability)
    {
        var upper = (capability ?? string.Empty).Trim().ToUpperInvariant();
        return upper.StartsWith("CAP_", StringComparison.Ordinal) ? upper[4..] : upper;
    }
}
