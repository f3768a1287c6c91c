using PolicyWebhook.Engine.Evaluation;

namespace PolicyWebhook.Engine.Checks;

/// <summary>How PodSecurityPolicy judged a user or group id field.</summary>
public enum IdRule
{
    /// <summary>Anything, unset included.</summary>
    RunAsAny,

    /// <summary>Set (at the container or the pod) and inside one of the ranges.</summary>
    MustRunAs,

    /// <summary>Inside one of the ranges where set; unset is allowed.</summary>
    MayRunAs,

    /// <summary>runAsUser only: never uid 0, and runAsNonRoot=true where no uid is set.</summary>
    MustRunAsNonRoot,
}

/// <summary>An inclusive range of user or group ids.</summary>
public readonly record struct IdRange(long Min, long Max)
{
    public override string ToString() => Min == Max ? Show(Min) : Show(Min) + "-" + Show(Max);

    internal static string Show(long id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A rule for one id field and, for MustRunAs and MayRunAs, its ranges.</summary>
public sealed record IdRuleOptions(IdRule Rule, IReadOnlyList<IdRange> Ranges)
{
    internal bool Allows(long id) => Ranges.Any(r => id >= r.Min && id <= r.Max);

    internal string RangesText => string.Join(", ", Ranges);
}

/// <summary>
/// A site's parameters for runAsUser in PodSecurityPolicy's vocabulary (runAsUser, runAsGroup, supplementalGroups,
/// fsGroup; Gatekeeper K8sPSPAllowedUsers, K8sPSPFSGroup). A rule left out changes nothing: runAsUser keeps the
/// standard's rule, the others are not judged.
/// </summary>
public sealed record UsersOptions(IdRuleOptions? RunAsUser, IdRuleOptions? RunAsGroup, IdRuleOptions? SupplementalGroups, IdRuleOptions? FsGroup);

/*
 * Containers must not name the root user (uid 0) explicitly.
 *
 * Restricted fields:
 *   spec.securityContext.runAsUser
 *   spec.containers[*].securityContext.runAsUser
 *   spec.initContainers[*].securityContext.runAsUser
 *   spec.ephemeralContainers[*].securityContext.runAsUser
 * Allowed values: any non-zero uid, undefined
 * From v1.35 any uid is allowed for a pod in its own user namespace (spec.hostUsers=false), where uid 0 maps to an
 * unprivileged uid on the node. v1.23 to v1.34 stay strict, matching Pod Security Admission 1.35 and 1.36: the
 * relaxation was behind the alpha UserNamespacesPodSecurityStandards gate (off by default) until upstream removed
 * the gate and added it as a new v1.35 version instead of changing the old ones.
 * With parameters (UsersOptions): PSP's rules, judged at the pod and at each container (whose value overrides the
 * pod's) for runAsUser and runAsGroup, at the pod for supplementalGroups and fsGroup.
 */
public sealed class RunAsUserCheck : PssCheck
{
    public override string Id => "runAsUser";

    public override CheckLevel Level => CheckLevel.Restricted;

    public override string Title => "running as uid 0";

    public override IReadOnlyList<CheckVersion> Versions { get; } = [Since(23, V1Dot23), Since(35, V1Dot35)];

    private static void V1Dot23(PodView pod, Findings findings)
    {
        if (pod.SecurityContext?.RunAsUser == 0)
        {
            findings.Add(pod.PathOf("securityContext.runAsUser"), "pod must not set securityContext.runAsUser=0", "0", "a non-zero uid or unset");
        }

        foreach (var container in pod.Containers)
        {
            if (container.SecurityContext?.RunAsUser == 0)
            {
                findings.Add(
                    container.PathOf("securityContext.runAsUser"),
                    $"{container.Subject} must not set securityContext.runAsUser=0",
                    "0",
                    "a non-zero uid or unset");
            }
        }
    }

    private static void V1Dot35(PodView pod, Findings findings)
    {
        if (!pod.InUserNamespace)
        {
            V1Dot23(pod, findings);
        }
    }

    /// <summary>The check with a site's id rules; <paramref name="standard"/> (the level's runAsUser, if any) runs when runAsUser has none.</summary>
    public static PodCheck With(UsersOptions options, PodCheck? standard)
    {
        ArgumentNullException.ThrowIfNull(options);
        return (pod, findings) =>
        {
            if (options.RunAsUser is { } user)
            {
                JudgeUser(pod, findings, user);
            }
            else
            {
                standard?.Invoke(pod, findings);
            }

            if (options.RunAsGroup is { } group)
            {
                JudgeId(pod, findings, group, "runAsGroup", pod.SecurityContext?.RunAsGroup, c => c.SecurityContext?.RunAsGroup);
            }

            if (options.SupplementalGroups is { Rule: IdRule.MustRunAs or IdRule.MayRunAs } supplemental)
            {
                var groups = pod.SecurityContext?.SupplementalGroups;
                if (groups is not { Count: > 0 } && supplemental.Rule == IdRule.MustRunAs)
                {
                    findings.Add(pod.PathOf("securityContext.supplementalGroups"), $"pod must set securityContext.supplementalGroups in {supplemental.RangesText}", "unset", "ids in " + supplemental.RangesText);
                }

                for (var i = 0; i < (groups?.Count ?? 0); i++)
                {
                    OutOfRange(findings, pod.PathOf($"securityContext.supplementalGroups[{i}]"), "pod", "supplementalGroups", groups![i] ?? 0, supplemental);
                }
            }

            if (options.FsGroup is { Rule: IdRule.MustRunAs or IdRule.MayRunAs } fsGroup)
            {
                Judge(findings, pod.PathOf("securityContext.fsGroup"), "pod", "fsGroup", pod.SecurityContext?.FsGroup, fsGroup);
            }
        };
    }

    private static void JudgeUser(PodView pod, Findings findings, IdRuleOptions rule)
    {
        if (rule.Rule != IdRule.MustRunAsNonRoot)
        {
            JudgeId(pod, findings, rule, "runAsUser", pod.SecurityContext?.RunAsUser, c => c.SecurityContext?.RunAsUser);
            return;
        }

        if (pod.SecurityContext?.RunAsUser == 0)
        {
            findings.Add(pod.PathOf("securityContext.runAsUser"), "pod must not set securityContext.runAsUser=0 (the rule is MustRunAsNonRoot)", "0", "a non-zero uid or unset");
        }

        foreach (var container in pod.Containers)
        {
            var uid = container.SecurityContext?.RunAsUser;
            if (uid == 0)
            {
                findings.Add(container.PathOf("securityContext.runAsUser"), $"{container.Subject} must not set securityContext.runAsUser=0 (the rule is MustRunAsNonRoot)", "0", "a non-zero uid or unset");
            }
            else if ((uid ?? pod.SecurityContext?.RunAsUser) is null && (container.SecurityContext?.RunAsNonRoot ?? pod.SecurityContext?.RunAsNonRoot) != true)
            {
                findings.Add(
                    container.PathOf("securityContext.runAsNonRoot"),
                    $"{container.Subject} must set runAsNonRoot=true or a non-zero runAsUser (the rule is MustRunAsNonRoot)",
                    Text.OrUnset(container.SecurityContext?.RunAsNonRoot ?? pod.SecurityContext?.RunAsNonRoot),
                    "true");
            }
        }
    }

    // The pod's value where set; each container's own value, or, when neither is set, MustRunAs asks the container.
    private static void JudgeId(PodView pod, Findings findings, IdRuleOptions rule, string field, long? podValue, Func<ContainerView, long?> containerValue)
    {
        if (rule.Rule is not (IdRule.MustRunAs or IdRule.MayRunAs))
        {
            return;
        }

        if (podValue is { } value)
        {
            OutOfRange(findings, pod.PathOf($"securityContext.{field}"), "pod", field, value, rule);
        }

        foreach (var container in pod.Containers)
        {
            var own = containerValue(container);
            if (own is not null || podValue is null)
            {
                Judge(findings, container.PathOf($"securityContext.{field}"), container.Subject, field, own, rule);
            }
        }
    }

    private static void Judge(Findings findings, string path, string subject, string field, long? value, IdRuleOptions rule)
    {
        if (value is { } id)
        {
            OutOfRange(findings, path, subject, field, id, rule);
        }
        else if (rule.Rule == IdRule.MustRunAs)
        {
            findings.Add(path, $"{subject} must set securityContext.{field} in {rule.RangesText} (the rule is MustRunAs)", "unset", "an id in " + rule.RangesText);
        }
    }

    private static void OutOfRange(Findings findings, string path, string subject, string field, long id, IdRuleOptions rule)
    {
        if (!rule.Allows(id))
        {
            findings.Add(path, $"{subject} sets {field}={IdRange.Show(id)}, outside the allowed ranges {rule.RangesText}", IdRange.Show(id), "an id in " + rule.RangesText);
        }
    }
}
