using PolicyWebhook.Engine.Evaluation;

namespace PolicyWebhook.Engine.Checks;

/*
 * Containers must drop every capability and may add back only NET_BIND_SERVICE.
 *
 * Restricted fields:
 *   spec.containers[*].securityContext.capabilities.drop    (must include ALL)
 *   spec.initContainers[*].securityContext.capabilities.drop
 *   spec.ephemeralContainers[*].securityContext.capabilities.drop
 *   spec.containers[*].securityContext.capabilities.add     (undefined, or only NET_BIND_SERVICE)
 *   spec.initContainers[*].securityContext.capabilities.add
 *   spec.ephemeralContainers[*].securityContext.capabilities.add
 * From v1.25 a pod with spec.os.name=windows is exempt: Windows has no Linux capabilities.
 * Overrides capabilities_baseline, whose added-capability rule this one makes stricter.
 * With parameters (CapabilitiesOptions): Allowed replaces NET_BIND_SERVICE and RequiredDrop replaces ALL where set;
 * Windows pods are exempt from v1.25, as without parameters.
 */
public sealed class CapabilitiesRestrictedCheck : PssCheck
{
    private const string Baseline = "capabilities_baseline";

    public override string Id => "capabilities_restricted";

    public override CheckLevel Level => CheckLevel.Restricted;

    public override string Title => "capabilities not dropped, or added beyond NET_BIND_SERVICE";

    public override IReadOnlyList<CheckVersion> Versions { get; } =
    [
        Since(22, V1Dot22, Baseline),
        Since(25, V1Dot25, Baseline),
    ];

    private static void V1Dot22(PodView pod, Findings findings)
    {
        foreach (var container in pod.Containers)
        {
            var capabilities = container.SecurityContext?.Capabilities;
            if (capabilities?.Drop is not { } drop || !drop.Contains("ALL"))
            {
                findings.Add(
                    container.PathOf("securityContext.capabilities.drop"),
                    $"{container.Subject} must set securityContext.capabilities.drop=[\"ALL\"]",
                    capabilities?.Drop is { } dropped ? Text.List(dropped) : "unset",
                    "[\"ALL\"]");
            }

            if (capabilities?.Add is { Count: > 0 } added)
            {
                var forbidden = added.Where(c => c != "NET_BIND_SERVICE").Distinct(StringComparer.Ordinal).ToList();
                if (forbidden.Count > 0)
                {
                    findings.Add(
                        container.PathOf("securityContext.capabilities.add"),
                        $"{container.Subject} must not add {(forbidden.Count == 1 ? "capability" : "capabilities")} {Text.QuoteAll(forbidden)}",
                        Text.List(forbidden),
                        "only \"NET_BIND_SERVICE\"");
                }
            }
        }
    }

    private static void V1Dot25(PodView pod, Findings findings)
    {
        if (!pod.IsWindows)
        {
            V1Dot22(pod, findings);
        }
    }

    /// <summary>
    /// The check with a site's lists; null lists keep the restricted rule's (add NET_BIND_SERVICE only, drop ALL).
    /// <paramref name="exemptWindows"/> (from v1.25) leaves Windows pods out.
    /// </summary>
    public static PodCheck With(CapabilitiesOptions options, bool exemptWindows = true)
    {
        ArgumentNullException.ThrowIfNull(options);
        var check = CapabilitiesBaselineCheck.With(options.Allowed ?? ["NET_BIND_SERVICE"], options.RequiredDrop ?? ["ALL"]);
        return (pod, findings) =>
        {
            if (!(exemptWindows && pod.IsWindows))
            {
                check(pod, findings);
            }
        };
    }
}
