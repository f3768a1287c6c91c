using PolicyWebhook.Engine.Evaluation;

namespace PolicyWebhook.Engine.Checks;

/*
 * The default /proc masks hide parts of the host's /proc and must stay in place.
 *
 * Restricted fields:
 *   spec.containers[*].securityContext.procMount, and init and ephemeral containers
 * Allowed values: undefined, Default
 * From v1.35 any value is allowed for a pod in its own user namespace (spec.hostUsers=false),
 * where an unmasked /proc exposes nothing of the host's; procMount_restricted still forbids it.
 * With parameters (allowed types, Gatekeeper K8sPSPProcMount): any value in the list; unset is Default.
 */
public sealed class ProcMountCheck : PssCheck
{
    public override string Id => "procMount";

    public override CheckLevel Level => CheckLevel.Baseline;

    public override string Title => "unmasked /proc";

    public override IReadOnlyList<CheckVersion> Versions { get; } = [Since(0, V1Dot0), Since(35, V1Dot35)];

    internal static void V1Dot0(PodView pod, Findings findings)
    {
        foreach (var container in pod.Containers)
        {
            if (container.SecurityContext?.ProcMount is { } procMount && procMount != "Default")
            {
                findings.Add(
                    container.PathOf("securityContext.procMount"),
                    $"{container.Subject} must not set securityContext.procMount={procMount}",
                    procMount,
                    "Default or unset");
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

    /// <summary>The check with a site's allowed procMount types, such as Default and Unmasked; replaces procMount_restricted too.</summary>
    public static PodCheck With(IReadOnlyList<string> allowedTypes)
    {
        ArgumentNullException.ThrowIfNull(allowedTypes);
        var allowedText = string.Join(", ", allowedTypes);
        return (pod, findings) =>
        {
            foreach (var container in pod.Containers)
            {
                if (container.SecurityContext?.ProcMount is { } procMount && !allowedTypes.Contains(procMount, StringComparer.Ordinal))
                {
                    findings.Add(
                        container.PathOf("securityContext.procMount"),
                        $"{container.Subject} must not set securityContext.procMount={procMount} (allowed: {allowedText})",
                        procMount,
                        "unset or one of " + allowedText);
                }
            }
        };
    }
}
