using PolicyWebhook.Cluster;
using PolicyWebhook.Engine;
using PolicyWebhook.Engine.Exceptions;
using PolicyWebhook.Policies;

namespace PolicyWebhook.Host.Policies;

/// <summary>
/// One immutable set of compiled policies, as admission reads it: built once per load, swapped whole, never
/// changed in place, so a request sees one consistent set from start to end.
/// </summary>
public sealed class PolicySnapshot
{
    public PolicySnapshot(
        IReadOnlyList<CompiledPolicy> policies,
        string origin,
        DateTimeOffset loadedAt,
        IReadOnlyList<CompiledException>? exceptions = null,
        IReadOnlyDictionary<string, IDictionary<string, string>>? namespaceLabels = null,
        IReadOnlyList<NamespaceIsolationRule>? isolationRules = null,
        IReadOnlyDictionary<string, NamespaceNetwork>? networks = null,
        IReadOnlySet<string>? invalidClusterPolicies = null)
    {
        InvalidClusterPolicies = invalidClusterPolicies ?? new HashSet<string>();
        _namespaceLabels = namespaceLabels;
        _networks = networks;
        IsolationRules = isolationRules ?? [];
        ArgumentNullException.ThrowIfNull(policies);
        Policies = policies;
        Exceptions = exceptions ?? [];
        Evaluator = new PolicyEvaluator(policies, Exceptions);
        Mutating = [.. policies.Where(p => p.Mutation is not null)];
        Verifying = [.. policies.Where(p => p.ImageVerification is not null)];
        Origin = origin;
        LoadedAt = loadedAt;
    }

    private readonly IReadOnlyDictionary<string, IDictionary<string, string>>? _namespaceLabels;
    private readonly IReadOnlyDictionary<string, NamespaceNetwork>? _networks;

    public IReadOnlyList<CompiledPolicy> Policies { get; }

    /// <summary>
    /// The labels of a namespace, for namespace selectors; null when unknown (policies from files, or a namespace
    /// not seen yet), in which case a selector is taken to match, so nothing is missed.
    /// </summary>
    public IDictionary<string, string>? LabelsOf(string? @namespace) =>
        @namespace is not null && _namespaceLabels is not null && _namespaceLabels.TryGetValue(@namespace, out var labels) ? labels : null;

    /// <summary>The namespaces known, by name; empty for policies from files.</summary>
    public IEnumerable<string> Namespaces => _namespaceLabels?.Keys ?? [];

    /// <summary>The namespace isolation rules of the valid ClusterPolicies, by policy name.</summary>
    public IReadOnlyList<NamespaceIsolationRule> IsolationRules { get; }

    /// <summary>The ClusterPolicies that exist but fail validation, by name: what they generated is left as it is until they are fixed or deleted.</summary>
    public IReadOnlySet<string> InvalidClusterPolicies { get; }

    /// <summary>True when NetworkPolicies are watched, so isolation can be judged at all.</summary>
    public bool KnowsNetworks => _networks is not null;

    /// <summary>What the NetworkPolicies of a namespace isolate; <see cref="NamespaceNetwork.None"/> when it has none.</summary>
    public NamespaceNetwork NetworkOf(string @namespace) => _networks?.GetValueOrDefault(@namespace) ?? NamespaceNetwork.None;

    /// <summary>
    /// The first isolation rule (in <paramref name="modes"/>) that matches the namespace and is not satisfied there;
    /// null when none is, or when NetworkPolicies are not watched (nothing is judged without the facts).
    /// </summary>
    public NamespaceIsolationRule? UnisolatedBy(string @namespace, IReadOnlySet<string> never, params PolicyMode[] modes)
    {
        ArgumentNullException.ThrowIfNull(@namespace);
        if (_networks is null)
        {
            return null;
        }

        return NamespaceNetwork.FirstUnsatisfied(IsolationRules, @namespace, LabelsOf(@namespace), NetworkOf(@namespace), never, modes);
    }

    /// <summary>The PolicyExceptions loaded, expired ones included (they stop applying on their own).</summary>
    public IReadOnlyList<CompiledException> Exceptions { get; }

    public PolicyEvaluator Evaluator { get; }

    /// <summary>The policies that turn mutation on; empty means <c>/mutate</c> changes nothing.</summary>
    public IReadOnlyList<CompiledPolicy> Mutating { get; }

    /// <summary>The policies that verify images: their facts are gathered from registries before evaluating, and /mutate pins their digests.</summary>
    public IReadOnlyList<CompiledPolicy> Verifying { get; }

    /// <summary>Where the set came from: a folder, or the built-in default.</summary>
    public string Origin { get; }

    public DateTimeOffset LoadedAt { get; }
}

/// <summary>Where admission gets its policies: files for now, the cluster later. Admission only ever reads it.</summary>
public interface IPolicySource
{
    /// <summary>The set in force; null until a first set has loaded.</summary>
    PolicySnapshot? Current { get; }

    /// <summary>The problems of the latest load attempt; empty when it succeeded. The last good set keeps serving meanwhile.</summary>
    IReadOnlyList<string> Problems { get; }

    /// <summary>How many load attempts have failed since start.</summary>
    long FailedLoads { get; }
}
