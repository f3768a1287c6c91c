using PolicyWebhook.Engine.Evaluation;

namespace PolicyWebhook.Engine.Checks;

/*
 * The runtime's default AppArmor profile must not be turned off or replaced by an arbitrary one.
 *
 * Restricted annotations:
 *   metadata.annotations['container.apparmor.security.beta.kubernetes.io/*']
 *   Allowed values: runtime/default, localhost/*, empty, undefined
 * Restricted fields:
 *   spec.securityContext.appArmorProfile.type
 *   spec.containers[*].securityContext.appArmorProfile.type, and init and ephemeral containers
 *   Allowed values: RuntimeDefault, Localhost, undefined
 * With parameters (AllowedProfiles): the profiles a site lists on the fields (named Localhost profiles included);
 * the deprecated annotations keep the standard's rule and are never read as allowing more.
 */
public sealed class AppArmorProfileCheck : PssCheck
{
    private const string AnnotationPrefix = "container.apparmor.security.beta.kubernetes.io/";

    public override string Id => "appArmorProfile";

    public override CheckLevel Level => CheckLevel.Baseline;

    public override string Title => "AppArmor turned off";

    public override IReadOnlyList<CheckVersion> Versions { get; } = [Since(0, V1Dot0)];

    private static void V1Dot0(PodView pod, Findings findings)
    {
        var podType = pod.SecurityContext?.AppArmorProfile?.Type;
        if (podType is not null && !AllowedType(podType))
        {
            findings.Add(
                pod.PathOf("securityContext.appArmorProfile.type"),
                $"pod must not set securityContext.appArmorProfile.type={podType}",
                podType,
                "RuntimeDefault or Localhost");
        }

        foreach (var container in pod.Containers)
        {
            var type = container.SecurityContext?.AppArmorProfile?.Type;
            if (type is not null && !AllowedType(type))
            {
                findings.Add(
                    container.PathOf("securityContext.appArmorProfile.type"),
                    $"{container.Subject} must not set securityContext.appArmorProfile.type={type}",
                    type,
                    "RuntimeDefault or Localhost");
            }
        }

        JudgeAnnotations(pod, findings);
    }

    /// <summary>The deprecated per-container annotations, judged as the standard judges them whatever a site allows.</summary>
    private static void JudgeAnnotations(PodView pod, Findings findings)
    {
        if (pod.Metadata?.Annotations is not { Count: > 0 } annotations
            || !annotations.Keys.Any(k => k.StartsWith(AnnotationPrefix, StringComparison.Ordinal)))
        {
            return;
        }

        foreach (var (key, value) in annotations.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            if (key.StartsWith(AnnotationPrefix, StringComparison.Ordinal) && !AllowedAnnotation(value))
            {
                findings.Add(
                    $"{pod.MetadataPath}.annotations[{key}]",
                    $"annotation {key} must not set AppArmor profile {Text.Quote(value)}",
                    value,
                    "runtime/default or localhost/*");
            }
        }
    }

    /// <summary>The check with a site's allowed profiles on the fields; the annotations are judged as the standard does.</summary>
    public static PodCheck With(AllowedProfiles allowed)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        return (pod, findings) =>
        {
            allowed.Judge(
                pod,
                findings,
                "appArmorProfile",
                pod.SecurityContext?.AppArmorProfile is { } p ? (p.Type, p.LocalhostProfile) : null,
                c => c.SecurityContext?.AppArmorProfile is { } a ? (a.Type, a.LocalhostProfile) : null,
                requireSet: false);
            JudgeAnnotations(pod, findings);
        };
    }

    private static bool AllowedType(string type) => type is "RuntimeDefault" or "Localhost";

    private static bool AllowedAnnotation(string? value) =>
        string.IsNullOrEmpty(value) || value == "runtime/default" || value.StartsWith("localhost/", StringComparison.Ordinal);
}
