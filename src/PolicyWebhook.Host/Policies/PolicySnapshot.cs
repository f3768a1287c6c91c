using PolicyWebhook.Engine;
using PolicyWebhook.Engine.Exceptions;

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
        IReadOnlyDictionary<string, IDictionary<string, string>>? namespaceLabels = null)
    {
        _namespaceLabels = namespaceLabels;
        ArgumentNullException.ThrowIfNull(policies);
        Policies = policies;
        Exceptions = exceptions ?? [];
        Evaluator = new PolicyEvaluator(policies, Exceptions);
        Mutating = [.. policies.Where(p => p.Mutation is not null)];
        Origin = origin;
        LoadedAt = loadedAt;
    }

    private readonly IReadOnlyDictionary<string, IDictionary<string, string>>? _namespaceLabels;

    public IReadOnlyList<CompiledPolicy> Policies { get; }

    /// <summary>
    /// The labels of a namespace, for namespace selectors; null when unknown (policies from files, or a namespace
    /// not seen yet), in which case a selector is taken to match, so nothing is missed.
    /// </summary>
    public IDictionary<string, string>? LabelsOf(string? @namespace) =>
        @namespace is not null && _namespaceLabels is not null && _namespaceLabels.TryGetValue(@namespace, out var labels) ? labels : null;

    /// <summary>The PolicyExceptions loaded, expired ones included (they stop applying on their own).</summary>
    public IReadOnlyList<CompiledException> Exceptions { get; }

    public PolicyEvaluator Evaluator { get; }

    /// <summary>The policies that turn mutation on; empty means <c>/mutate</c> changes nothing.</summary>
    public IReadOnlyList<CompiledPolicy> Mutating { get; }

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
