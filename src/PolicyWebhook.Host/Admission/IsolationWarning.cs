using PolicyWebhook.Engine;
using PolicyWebhook.Host.Policies;
using PolicyWebhook.Policies;

namespace PolicyWebhook.Host.Admission;

/// <summary>
/// The warning a pod gets when it is created in a namespace a Warn or Enforce isolation rule matches and no
/// NetworkPolicy isolates: the namespace, the policy, and what to add. Audit rules only report.
/// </summary>
public static class IsolationWarning
{
    // Once, not an array per pod on the admission path.
    private static readonly PolicyMode[] Warned = [PolicyMode.Warn, PolicyMode.Enforce];

    /// <summary>The answer with the warning added when the request creates a pod in an unisolated namespace; otherwise the answer as it was.</summary>
    public static AdmissionOutcome Add(AdmissionOutcome outcome, AdmissionRequest request, PolicySnapshot snapshot, IReadOnlySet<string> exempt)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(snapshot);
        if (request is not { Kind: "Pod", Operation: "CREATE", SubResource: "", Namespace: { } ns }
            || snapshot.UnisolatedBy(ns, exempt, Warned) is not { } rule)
        {
            return outcome;
        }

        return outcome with { Response = outcome.Response with { Warnings = [.. outcome.Response.Warnings, Text(rule, ns)] } };
    }

    /// <summary><c>isolate: namespace "shop" is not isolated: add a NetworkPolicy with podSelector: {} for Ingress</c>, cut to 120 characters.</summary>
    public static string Text(NamespaceIsolationRule rule, string @namespace)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var text = $"{rule.PolicyName}: namespace \"{@namespace}\" is not isolated: add a NetworkPolicy with podSelector: {{}} for {(rule.Egress ? "Ingress, Egress" : "Ingress")}";
        return VerdictResponse.Shorten(text, VerdictResponse.WarningLength);
    }
}
