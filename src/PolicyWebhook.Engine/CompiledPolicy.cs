using PolicyWebhook.Engine.Checks;
using PolicyWebhook.Engine.Images;
using PolicyWebhook.Engine.Matching;
using PolicyWebhook.Engine.Mutation;

namespace PolicyWebhook.Engine;

/// <summary>A least-privilege check a policy turned on, with its options bound and its mode.</summary>
public sealed record ConfiguredCheck(string Id, PolicyMode Mode, PodCheck Evaluate)
{
    /// <summary>The options the check was bound with, where a host needs them before evaluating (image verification entries).</summary>
    public object? Options { get; init; }
}

/// <summary>
/// The Pod Security Standards part of a policy: which level, at which version, in which mode, and the site's
/// parameters: a check id mapped to the parameterised function that replaces the standard's in the table, or, for a
/// check the level does not run (a restricted one at baseline), runs after it. Null parameters leave the standard as it is.
/// </summary>
public sealed record PodSecuritySettings(PssLevel Level, PssVersion Version, PolicyMode Mode, IReadOnlyDictionary<string, PodCheck>? Parameters = null);

/// <summary>What a policy applies to. Empty lists and null selectors match everything.</summary>
public sealed record PolicyMatch(
    GlobSet Namespaces,
    LabelSelector? NamespaceSelector,
    LabelSelector? ObjectSelector,
    IReadOnlySet<string> Kinds)
{
    public static PolicyMatch All { get; } = new(GlobSet.Empty, null, null, new HashSet<string>());
}

/// <summary>What a policy leaves out: namespaces, containers by image, and check ids.</summary>
public sealed record PolicyExclusions(GlobSet Namespaces, GlobSet Images, IReadOnlySet<string> Checks)
{
    public static PolicyExclusions None { get; } = new(GlobSet.Empty, GlobSet.Empty, new HashSet<string>());
}

/// <summary>
/// A policy in the engine's terms: validated, with its checks bound and its plan (the list of checks to run,
/// exclusions applied) computed once, so evaluating it is a loop.
/// </summary>
public sealed class CompiledPolicy
{
    public CompiledPolicy(
        PolicyReference reference,
        PodSecuritySettings? podSecurity,
        IReadOnlyList<ConfiguredCheck> checks,
        PolicyMatch match,
        PolicyExclusions exclude,
        CheckRegistry? registry = null,
        MutationDefaults? mutation = null)
    {
        ArgumentNullException.ThrowIfNull(checks);
        Reference = reference;
        PodSecurity = podSecurity;
        Checks = checks;
        Match = match ?? throw new ArgumentNullException(nameof(match));
        Exclude = exclude ?? throw new ArgumentNullException(nameof(exclude));
        Mutation = mutation;

        List<ConfiguredCheck> pss = podSecurity is null
            ? []
            : (registry ?? CheckRegistry.Default).TableFor(podSecurity.Level, podSecurity.Version)
                .Select(e => new ConfiguredCheck(e.Id, podSecurity.Mode, podSecurity.Parameters?.GetValueOrDefault(e.Id) ?? e.Evaluate))
                .ToList();
        if (podSecurity?.Parameters is { } parameters)
        {
            var inTable = pss.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
            pss.AddRange(parameters.Where(p => !inTable.Contains(p.Key)).Select(p => new ConfiguredCheck(p.Key, podSecurity.Mode, p.Value)));
        }

        Plan = [.. pss.Concat(checks).Where(c => !exclude.Checks.Contains(c.Id))];
        ImageVerification = Plan.Select(c => c.Options).OfType<ImageVerificationOptions>().FirstOrDefault();
    }

    public PolicyReference Reference { get; }

    public PodSecuritySettings? PodSecurity { get; }

    public IReadOnlyList<ConfiguredCheck> Checks { get; }

    public PolicyMatch Match { get; }

    public PolicyExclusions Exclude { get; }

    /// <summary>The fields this policy fills in on admission; null when it mutates nothing (the default).</summary>
    public MutationDefaults? Mutation { get; }

    /// <summary>The image verification entries this policy runs, whose facts a host gathers before evaluating; null when none.</summary>
    public ImageVerificationOptions? ImageVerification { get; }

    /// <summary>Every check this policy runs, in order, with its mode: the standard's table, then the least-privilege checks.</summary>
    public IReadOnlyList<ConfiguredCheck> Plan { get; }

    /// <summary>True when the policy applies to an object of this kind, namespace and labels.</summary>
    public bool Applies(WorkloadTarget target, EvaluationContext context)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(context);
        var ns = target.Namespace;
        if (Reference.Namespace is not null && !string.Equals(Reference.Namespace, ns, StringComparison.Ordinal))
        {
            return false;
        }

        if (Exclude.Namespaces.Matches(ns))
        {
            return false;
        }

        if (Match.Kinds.Count > 0 && !Match.Kinds.Contains(target.Kind))
        {
            return false;
        }

        if (!Match.Namespaces.IsEmpty && !Match.Namespaces.Matches(ns))
        {
            return false;
        }

        // Offline, the namespace's labels are unknown: the selector is then taken to match, so nothing is missed.
        if (Match.NamespaceSelector is { } namespaceSelector && context.NamespaceLabels is not null
            && !namespaceSelector.Matches(context.NamespaceLabels))
        {
            return false;
        }

        return Match.ObjectSelector is null || Match.ObjectSelector.Matches(target.Labels);
    }
}
