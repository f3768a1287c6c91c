using PolicyWebhook.Engine.Evaluation;

namespace PolicyWebhook.Engine.Checks;

/*
 * Every container must run under a seccomp profile: RuntimeDefault or a Localhost one.
 *
 * Restricted fields:
 *   spec.securityContext.seccompProfile.type
 *   spec.containers[*].securityContext.seccompProfile.type, and init and ephemeral containers
 * Allowed values: RuntimeDefault, Localhost; a container may leave it unset when the pod sets an allowed type.
 * When neither the pod nor any container sets a type, the fix is said once, at pod level, for two containers or more.
 * From v1.25 a pod with spec.os.name=windows is exempt. Overrides seccompProfile_baseline.
 */
public sealed class SeccompProfileRestrictedCheck : PssCheck
{
    private const string Baseline = "seccompProfile_baseline";

    public override string Id => "seccompProfile_restricted";

    public override CheckLevel Level => CheckLevel.Restricted;

    public override string Title => "seccomp profile not set";

    public override IReadOnlyList<CheckVersion> Versions { get; } =
    [
        Since(19, V1Dot19, Baseline),
        Since(25, V1Dot25, Baseline),
    ];

    private static void V1Dot19(PodView pod, Findings findings)
    {
        var podType = pod.SecurityContext?.SeccompProfile?.Type;
        var podAllowed = podType is not null && SeccompProfileBaselineCheck.AllowedType(podType);
        if (podType is not null && !podAllowed)
        {
            findings.Add(
                pod.PathOf("securityContext.seccompProfile.type"),
                $"pod must not set securityContext.seccompProfile.type={podType}",
                podType,
                "RuntimeDefault or Localhost");
        }

        if (podType is null && PodLevel.NoneSets(pod, c => c.SecurityContext?.SeccompProfile?.Type is not null) is > 1 and var count)
        {
            findings.AddForEveryContainer(
                pod.PathOf("securityContext.seccompProfile.type"),
                $"pod must set securityContext.seccompProfile.type=RuntimeDefault (or Localhost) once, or on each of the {count} containers",
                "unset in the pod and in every container",
                "RuntimeDefault or Localhost in the pod's securityContext (or in each container's)");
            return;
        }

        foreach (var container in pod.Containers)
        {
            var type = container.SecurityContext?.SeccompProfile?.Type;
            if (type is not null)
            {
                if (!SeccompProfileBaselineCheck.AllowedType(type))
                {
                    findings.Add(
                        container.PathOf("securityContext.seccompProfile.type"),
                        $"{container.Subject} must not set securityContext.seccompProfile.type={type}",
                        type,
                        "RuntimeDefault or Localhost");
                }
            }
            else if (!podAllowed)
            {
                findings.Add(
                    container.PathOf("securityContext.seccompProfile.type"),
                    $"{container.Subject} must set securityContext.seccompProfile.type=RuntimeDefault (or Localhost)",
                    "unset",
                    "RuntimeDefault or Localhost (here or in the pod's securityContext)");
            }
        }
    }

    private static void V1Dot25(PodView pod, Findings findings)
    {
        if (!pod.IsWindows)
        {
            V1Dot19(pod, findings);
        }
    }
}
