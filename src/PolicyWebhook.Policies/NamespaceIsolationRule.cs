using PolicyWebhook.Engine;

namespace PolicyWebhook.Policies;

/// <summary>
/// A compiled namespace isolation rule: which namespaces must be isolated (the policy's match and exclude), how
/// (ingress, and egress when asked) and what happens when one is not (the mode, and whether to generate a policy).
/// </summary>
public sealed record NamespaceIsolationRule(
    string PolicyName,
    PolicyMode Mode,
    bool Egress,
    bool AllowDns,
    bool Generate,
    bool Keep,
    PolicyMatch Match,
    PolicyExclusions Exclude)
{
    /// <summary>kube-system is never isolated by a rule, whatever the match says.</summary>
    public const string KubeSystem = "kube-system";

    /// <summary>True when the leader should create a default-deny policy where one is missing.</summary>
    public bool Generates => Mode == PolicyMode.Enforce && Generate;

    /// <summary>
    /// True when the rule applies to this namespace: matched by names and labels, not excluded, and neither
    /// kube-system nor one of <paramref name="never"/> (the webhook's own namespace and the exempt ones).
    /// Unknown labels (null) are taken to match a selector, as elsewhere.
    /// </summary>
    public bool Matches(string @namespace, IDictionary<string, string>? labels, IReadOnlySet<string>? never = null)
    {
        ArgumentNullException.ThrowIfNull(@namespace);
        if (@namespace == KubeSystem || (never?.Contains(@namespace) ?? false) || Exclude.Namespaces.Matches(@namespace))
        {
            return false;
        }

        if (!Match.Namespaces.IsEmpty && !Match.Namespaces.Matches(@namespace))
        {
            return false;
        }

        return Match.NamespaceSelector is null || labels is null || Match.NamespaceSelector.Matches(labels);
    }
}
