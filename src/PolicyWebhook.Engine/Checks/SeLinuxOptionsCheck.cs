using k8s.Models;
using PolicyWebhook.Engine.Evaluation;

namespace PolicyWebhook.Engine.Checks;

/// <summary>An allowed set of SELinux options; a field left null allows any value there.</summary>
public sealed record SeLinuxOptionSet(string? User, string? Role, string? Type, string? Level)
{
    public override string ToString() =>
        "{" + string.Join(", ", new[] { ("user", User), ("role", Role), ("type", Type), ("level", Level) }.Where(f => f.Item2 is not null).Select(f => $"{f.Item1}: {f.Item2}")) + "}";
}

/*
 * SELinux may only label a container with a container type; a custom user or role is forbidden.
 *
 * Restricted fields:
 *   spec.securityContext.seLinuxOptions.{type,user,role}
 *   spec.containers[*].securityContext.seLinuxOptions.{type,user,role}, and init and ephemeral containers
 * Allowed types: undefined, "", container_t, container_init_t, container_kvm_t; from v1.31 also container_engine_t
 * Allowed user and role: undefined, ""
 * With parameters (SeLinuxOptionSet list, Gatekeeper allowedSELinuxOptions): every seLinuxOptions set on the pod or
 * a container matches one allowed set: each field it sets equals that set's field, where the set names one.
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

    /// <summary>The check with a site's allowed option sets in place of the standard's types; an empty list allows none.</summary>
    public static PodCheck With(IReadOnlyList<SeLinuxOptionSet> allowed)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        var allowedText = allowed.Count == 0 ? "none" : string.Join(", ", allowed);
        return (pod, findings) =>
        {
            if (pod.SecurityContext?.SeLinuxOptions is { } podOptions && !allowed.Any(a => Matches(a, podOptions)))
            {
                Refuse(findings, "pod", pod.PathOf("securityContext.seLinuxOptions"), podOptions, allowedText);
            }

            foreach (var container in pod.Containers)
            {
                if (container.SecurityContext?.SeLinuxOptions is { } options && !allowed.Any(a => Matches(a, options)))
                {
                    Refuse(findings, container.Subject, container.PathOf("securityContext.seLinuxOptions"), options, allowedText);
                }
            }
        };
    }

    private static bool Matches(SeLinuxOptionSet allowed, V1SELinuxOptions options) =>
        Field(allowed.User, options.User) && Field(allowed.Role, options.Role) && Field(allowed.Type, options.Type) && Field(allowed.Level, options.Level);

    private static bool Field(string? allowed, string? value) => string.IsNullOrEmpty(value) || allowed is null || allowed == value;

    private static void Refuse(Findings findings, string subject, string path, V1SELinuxOptions options, string allowedText)
    {
        var found = new SeLinuxOptionSet(NullIfEmpty(options.User), NullIfEmpty(options.Role), NullIfEmpty(options.Type), NullIfEmpty(options.Level)).ToString();
        findings.Add(path, $"{subject} must not set seLinuxOptions {found} (allowed: {allowedText})", found, "one of " + allowedText);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
