using k8s.Models;
using PolicyWebhook.Engine.Evaluation;

namespace PolicyWebhook.Engine.Checks;

/*
 * SELinux may only label a container with a container type; a custom user or role is forbidden.
 *
 * Restricted fields:
 *   spec.securityContext.seLinuxOptions.{type,user,role}
 *   spec.containers[*].securityContext.seLinuxOptions.{type,user,role}, and init and ephemeral containers
 * Allowed types: undefined, "", container_t, container_init_t, container_kvm_t; from v1.31 also container_engine_t
 * Allowed user and role: undefined, ""
 */
public sealed class SeLinuxOptionsCheck : PssCheck
{
    private static readonly string[] TypesV1Dot0 = ["", "container_t", "container_init_t", "container_kvm_t"];
    private static readonly string[] TypesV1Dot31 = [.. TypesV1Dot0, "container_engine_t"];

    public override string Id => "seLinuxOptions";

    public override CheckLevel Level => CheckLevel.Baseline;

    public override string Title => "custom SELinux options";

    public override IReadOnlyList<CheckVersion> Versions { get; } =
    [
        Since(0, (pod, findings) => Evaluate(pod, findings, TypesV1Dot0)),
        Since(31, (pod, findings) => Evaluate(pod, findings, TypesV1Dot31)),
    ];

    private static void Evaluate(PodView pod, Findings findings, string[] allowedTypes)
    {
        if (pod.SecurityContext?.SeLinuxOptions is { } podOptions)
        {
            Report(findings, podOptions, "pod", pod.PathOf("securityContext.seLinuxOptions"), allowedTypes);
        }

        foreach (var container in pod.Containers)
        {
            if (container.SecurityContext?.SeLinuxOptions is { } options)
            {
                Report(findings, options, container.Subject, container.PathOf("securityContext.seLinuxOptions"), allowedTypes);
            }
        }
    }

    private static void Report(Findings findings, V1SELinuxOptions options, string subject, string path, string[] allowedTypes)
    {
        if (options.Type is { } type && !allowedTypes.Contains(type))
        {
            findings.Add(
                $"{path}.type",
                $"{subject} must not set securityContext.seLinuxOptions.type={type}",
                type,
                "unset or one of " + string.Join(", ", allowedTypes.Skip(1)));
        }

        if (!string.IsNullOrEmpty(options.User))
        {
            findings.Add($"{path}.user", $"{subject} must not set securityContext.seLinuxOptions.user", options.User, "unset");
        }

        if (!string.IsNullOrEmpty(options.Role))
        {
            findings.Add($"{path}.role", $"{subject} must not set securityContext.seLinuxOptions.role", options.Role, "unset");
        }
    }
}
