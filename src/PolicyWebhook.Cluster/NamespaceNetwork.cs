using k8s.Models;
using PolicyWebhook.Engine;
using PolicyWebhook.Policies;

namespace PolicyWebhook.Cluster;

/// <summary>
/// What the NetworkPolicies of one namespace isolate: whether one selects every pod (<c>podSelector: {}</c>) for
/// Ingress and for Egress, and the default-deny policy PolicyWebhook made there, if any.
/// </summary>
public sealed record NamespaceNetwork(bool Ingress, bool Egress, V1NetworkPolicy? Generated)
{
    /// <summary>The name of the NetworkPolicy the generator creates.</summary>
    public const string GeneratedName = "policywebhook-default-deny";

    public const string ManagedByLabel = "app.kubernetes.io/managed-by";

    public const string ManagedByValue = "policy-webhook";

    /// <summary>The label naming the ClusterPolicy a generated NetworkPolicy stands for.</summary>
    public const string PolicyLabel = "policywebhook.io/policy";

    /// <summary>A namespace with no NetworkPolicy at all.</summary>
    public static NamespaceNetwork None { get; } = new(false, false, null);

    /// <summary>True when the namespace is isolated as the rule asks: ingress always, egress when the rule says so.</summary>
    public bool Satisfies(NamespaceIsolationRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return Ingress && (!rule.Egress || Egress);
    }

    /// <summary>What the rule asks that is missing: <c>Ingress</c>, <c>Egress</c> or <c>Ingress, Egress</c>; empty when nothing is.</summary>
    public string Missing(NamespaceIsolationRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return string.Join(", ", new[] { Ingress ? null : "Ingress", rule.Egress && !Egress ? "Egress" : null }.OfType<string>());
    }

    /// <summary>True for a NetworkPolicy the generator made: its name and its managed-by label; never anyone else's.</summary>
    public static bool IsGenerated(V1NetworkPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return policy.Metadata?.Name == GeneratedName
            && policy.Metadata.Labels is { } labels && labels.TryGetValue(ManagedByLabel, out var by) && by == ManagedByValue;
    }

    /// <summary>
    /// The first rule (by the order given, in one of <paramref name="modes"/>, or any when none) that matches the
    /// namespace and that its NetworkPolicies do not satisfy; null when the namespace is isolated as every rule asks.
    /// </summary>
    public static NamespaceIsolationRule? FirstUnsatisfied(
        IEnumerable<NamespaceIsolationRule> rules, string @namespace, IDictionary<string, string>? labels, NamespaceNetwork network, IReadOnlySet<string> never, IReadOnlyCollection<PolicyMode> modes)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(modes);
        return rules.FirstOrDefault(r => (modes.Count == 0 || modes.Contains(r.Mode)) && r.Matches(@namespace, labels, never) && !network.Satisfies(r));
    }

    /// <summary>The isolation facts of every namespace that has at least one NetworkPolicy.</summary>
    public static IReadOnlyDictionary<string, NamespaceNetwork> Of(IEnumerable<V1NetworkPolicy> policies)
    {
        ArgumentNullException.ThrowIfNull(policies);
        var result = new Dictionary<string, NamespaceNetwork>(StringComparer.Ordinal);
        foreach (var policy in policies)
        {
            var ns = policy.Metadata?.NamespaceProperty;
            if (string.IsNullOrEmpty(ns))
            {
                continue;
            }

            var current = result.GetValueOrDefault(ns) ?? None;
            var all = SelectsEveryPod(policy.Spec?.PodSelector);
            var types = policy.Spec?.PolicyTypes;
            // As the API server defaults them: Ingress always when absent, Egress when absent and egress rules exist.
            var ingress = all && (types is not { Count: > 0 } || types.Contains("Ingress"));
            var egress = all && (types is { Count: > 0 } ? types.Contains("Egress") : policy.Spec?.Egress is { Count: > 0 });
            result[ns] = new NamespaceNetwork(current.Ingress || ingress, current.Egress || egress, IsGenerated(policy) ? policy : current.Generated);
        }

        return result;
    }

    private static bool SelectsEveryPod(V1LabelSelector? selector) =>
        selector is null || (selector.MatchLabels is not { Count: > 0 } && selector.MatchExpressions is not { Count: > 0 });
}
