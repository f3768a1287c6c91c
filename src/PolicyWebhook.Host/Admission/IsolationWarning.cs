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

        var response = outcome.Response;
        return outcome with
        {
            Response = new AdmissionResponse
            {
                Allowed = response.Allowed,
                Code = response.Code,
                Reason = response.Reason,
                Message = response.Message,
                Warnings = [.. response.Warnings, Text(rule, ns)],
                AuditAnnotations = response.AuditAnnotations,
                Patch = response.Patch,
            },
        };
    }

    /// <summary><c>isolate: namespace "shop" is not isolated: add a NetworkPolicy with podSelector: {} for Ingress</c>, cut to 120 characters.</summary>
    public static string Text(NamespaceIsolationRule rule, string @namespace)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var text = $"{rule.PolicyName}: namespace \"{@namespace}\" is not isolated: add a NetworkPolicy with podSelector: {{}} for {(rule.Egress ? "Ingress, Egress" : "Ingress")}";
        return text.Length <= VerdictResponse.WarningLength ? text : string.Concat(text.AsSpan(0, VerdictResponse.WarningLength - 3), "...");
    }
}
