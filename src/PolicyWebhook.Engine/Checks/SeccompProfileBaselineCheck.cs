using PolicyWebhook.Engine.Evaluation;

namespace PolicyWebhook.Engine.Checks;

/*
 * The runtime's default seccomp profile must not be turned off.
 *
 * v1.0, restricted annotations (the alpha API):
 *   metadata.annotations['seccomp.security.alpha.kubernetes.io/pod']
 *   metadata.annotations['container.seccomp.security.alpha.kubernetes.io/<container>']
 *   Allowed values: runtime/default, docker/default, localhost/*, undefined
 * v1.19, restricted fields (the seccompProfile API replaced the annotations):
 *   spec.securityContext.seccompProfile.type
 *   spec.containers[*].securityContext.seccompProfile.type, and init and ephemeral containers
 *   Allowed values: RuntimeDefault, Localhost, undefined
 * With parameters (AllowedProfiles): the profiles a site lists (named Localhost profiles included), judged on the
 * fields only; the alpha annotations are left to the standard's v1.0 rule.
 */
public sealed class SeccompProfileBaselineCheck : PssCheck
{
    internal const string PodAnnotation = "seccomp.security.alpha.kubernetes.io/pod";
    internal const string ContainerAnnotationPrefix = "container.seccomp.security.alpha.kubernetes.io/";

    public override string Id => "seccompProfile_baseline";

    public override CheckLevel Level => CheckLevel.Baseline;

    public override string Title => "seccomp turned off";

    public override IReadOnlyList<CheckVersion> Versions { get; } = [Since(0, V1Dot0), Since(19, V1Dot19)];

    private static void V1Dot0(PodView pod, Findings findings)
    {
        if (pod.Metadata?.Annotations is not { Count: > 0 } annotations)
        {
            return;
        }

        if (annotations.TryGetValue(PodAnnotation, out var podValue) && !AllowedAnnotation(podValue))
        {
            ReportAnnotation(pod, findings, PodAnnotation, podValue, "pod");
        }

        foreach (var container in pod.Containers)
        {
            var key = ContainerAnnotationPrefix + container.Name;
            if (annotations.TryGetValue(key, out var value) && !AllowedAnnotation(value))
            {
                ReportAnnotation(pod, findings, key, value, container.Subject);
            }
        }
    }

    private static void V1Dot19(PodView pod, Findings findings)
    {
        var podType = pod.SecurityContext?.SeccompProfile?.Type;
        if (podType is not null && !AllowedType(podType))
        {
            findings.Add(
                pod.PathOf("securityContext.seccompProfile.type"),
                $"pod must not set securityContext.seccompProfile.type={podType}",
                podType,
                "RuntimeDefault or Localhost");
        }

        foreach (var container in pod.Containers)
        {
            var type = container.SecurityContext?.SeccompProfile?.Type;
            if (type is not null && !AllowedType(type))
            {
                findings.Add(
                    container.PathOf("securityContext.seccompProfile.type"),
                    $"{container.Subject} must not set securityContext.seccompProfile.type={type}",
                    type,
                    "RuntimeDefault or Localhost");
            }
        }
    }

    /// <summary>
    /// The check with a site's allowed profiles; <paramref name="requireSet"/> (restricted) asks every container for
    /// one, and <paramref name="exemptWindows"/> (restricted from v1.25) leaves Windows pods out.
    /// </summary>
    public static PodCheck With(AllowedProfiles allowed, bool requireSet, bool exemptWindows = true)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        return (pod, findings) =>
        {
            if (!(requireSet && exemptWindows && pod.IsWindows))
            {
                allowed.Judge(
                    pod,
                    findings,
                    "seccompProfile",
                    pod.SecurityContext?.SeccompProfile is { } p ? (p.Type, p.LocalhostProfile) : null,
                    c => c.SecurityContext?.SeccompProfile is { } s ? (s.Type, s.LocalhostProfile) : null,
                    requireSet);
            }
        };
    }

    internal static bool AllowedType(string type) => type is "RuntimeDefault" or "Localhost";

    private static bool AllowedAnnotation(string value) =>
        value.Length == 0 || value is "runtime/default" or "docker/default" || value.StartsWith("localhost/", StringComparison.Ordinal);

    private static void ReportAnnotation(PodView pod, Findings findings, string key, string value, string subject) =>
        findings.Add(
            $"{pod.MetadataPath}.annotations[{key}]",
            $"{subject} must not set seccomp profile {Text.Quote(value)} in annotation {key}",
            value,
            "runtime/default, docker/default or localhost/*");
}
