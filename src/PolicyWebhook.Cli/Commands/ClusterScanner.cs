using k8s;
using k8s.Models;
using PolicyWebhook.Cluster;
using PolicyWebhook.Engine;
using PolicyWebhook.Engine.Exceptions;
using PolicyWebhook.Policies;
using PolicyWebhook.Policies.Resources;

namespace PolicyWebhook.Cli.Commands;

/// <summary>What a scan found: every object's verdict where there was a finding, counts for the rest, and problems.</summary>
internal sealed record ScanRun(List<ObjectResult> Results, int Checked, List<string> Errors, string PolicyOrigin)
{
    /// <summary>The namespaces left out because the webhook does not check them.</summary>
    public IReadOnlySet<string> Exempt { get; init; } = new HashSet<string>();

    /// <summary>Workloads passed over in those namespaces.</summary>
    public int SkippedExempt { get; init; }

    /// <summary>Namespaces an isolation rule matches that no NetworkPolicy isolates as it asks; null when the cluster has no such rule.</summary>
    public IReadOnlyList<UnisolatedNamespace>? Unisolated { get; init; }
}

/// <summary>A namespace a ClusterPolicy's isolation rule matches and its NetworkPolicies do not isolate: what is missing, and the rule's mode.</summary>
internal sealed record UnisolatedNamespace(string Namespace, string Policy, PolicyMode Mode, string Missing);

/// <summary>
/// Lists the Pods and pod controllers of a cluster page by page and evaluates them against the cluster's own
/// policies and exceptions. An object a listed controller owns (a ReplicaSet of a Deployment, a Pod of a
/// ReplicaSet) is left to its owner, so each finding is reported once, where it is fixed. Only objects with
/// findings are kept, so memory stays bounded by the findings, not by the cluster.
/// </summary>
internal static class ClusterScanner
{
    private const int PageSize = WorkloadAudit.PageSize;

    public static async Task<ScanRun> RunAsync(IKubernetes client, string? ns, IReadOnlySet<string> exempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(exempt);
        var errors = new List<string>();
        var isolation = new List<NamespaceIsolationRule>();
        var (evaluator, origin) = await LoadPoliciesAsync(client, ns, errors, isolation, cancellationToken).ConfigureAwait(false);
        var labels = new Dictionary<string, IDictionary<string, string>>(StringComparer.Ordinal);
        if (ns is not null)
        {
            // One namespace: read just it, which a user limited to that namespace may still be refused.
            try
            {
                var one = await client.CoreV1.ReadNamespaceAsync(ns, cancellationToken: cancellationToken).ConfigureAwait(false);
                labels[ns] = one.Metadata.Labels ?? new Dictionary<string, string>();
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode is System.Net.HttpStatusCode.Forbidden or System.Net.HttpStatusCode.NotFound)
            {
                errors.Add($"cannot read namespace {ns} ({(int)e.Response.StatusCode}): namespace selectors are taken to match");
            }
        }
        else
        {
            await foreach (var n in WorkloadAudit.Pages(token => client.CoreV1.ListNamespaceAsync(continueParameter: token, limit: PageSize, cancellationToken: cancellationToken), l => (l.Items, l.Metadata?.ContinueProperty)).ConfigureAwait(false))
            {
                labels[n.Metadata.Name] = n.Metadata.Labels ?? new Dictionary<string, string>();
            }
        }

        var results = new List<ObjectResult>();
        var checkedCount = 0;
        var skipped = 0;
        await foreach (var audited in WorkloadAudit.RunAsync(client, evaluator, n => labels.GetValueOrDefault(n), ns, exempt, cancellationToken).ConfigureAwait(false))
        {
            // The webhook lets everything in an exempt namespace in unchecked; reporting it as "would be denied" would be false.
            skipped += audited.Outcome == AuditOutcome.Exempt ? 1 : 0;
            if (audited is not { Outcome: AuditOutcome.Evaluated, Result: { } result })
            {
                continue;
            }

            if (result.Violations.Count > 0 || result.Waived.Count > 0)
            {
                results.Add(new ObjectResult("cluster", checkedCount, 0, result));
            }

            checkedCount++;
        }

        var unisolated = isolation.Count == 0 ? null : await UnisolatedAsync(client, ns, isolation, labels, exempt, errors, cancellationToken).ConfigureAwait(false);
        return new ScanRun(results, checkedCount, errors, origin) { Exempt = exempt, SkippedExempt = skipped, Unisolated = unisolated };
    }

    /// <summary>The namespaces (of those read) that an isolation rule, in any mode, matches and no NetworkPolicy isolates as it asks.</summary>
    private static async Task<List<UnisolatedNamespace>?> UnisolatedAsync(
        IKubernetes client, string? ns, List<NamespaceIsolationRule> rules, Dictionary<string, IDictionary<string, string>> labels, IReadOnlySet<string> exempt, List<string> errors, CancellationToken t)
    {
        var policies = new List<V1NetworkPolicy>();
        try
        {
            await foreach (var policy in WorkloadAudit.Pages(
                token => ns is null
                    ? client.NetworkingV1.ListNetworkPolicyForAllNamespacesAsync(continueParameter: token, limit: PageSize, cancellationToken: t)
                    : client.NetworkingV1.ListNamespacedNetworkPolicyAsync(ns, continueParameter: token, limit: PageSize, cancellationToken: t),
                l => (l.Items, l.Metadata?.ContinueProperty)).ConfigureAwait(false))
            {
                policies.Add(policy);
            }
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode is System.Net.HttpStatusCode.Forbidden)
        {
            errors.Add($"cannot list NetworkPolicies ({(int)e.Response.StatusCode}): namespace isolation is not judged");
            return null;
        }

        var networks = NamespaceNetwork.Of(policies);
        var found = new List<UnisolatedNamespace>();
        foreach (var (name, namespaceLabels) in labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            var network = networks.GetValueOrDefault(name) ?? NamespaceNetwork.None;
            if (NamespaceNetwork.FirstUnsatisfied(rules, name, namespaceLabels, network, exempt, []) is { } rule)
            {
                found.Add(new UnisolatedNamespace(name, rule.PolicyName, rule.Mode, network.Missing(rule)));
            }
        }

        return found;
    }

    private static async Task<(PolicyEvaluator Evaluator, string Origin)> LoadPoliciesAsync(IKubernetes client, string? ns, List<string> errors, List<NamespaceIsolationRule> isolation, CancellationToken t)
    {
        var policies = new List<CompiledPolicy>();
        var exceptions = new List<CompiledException>();
        foreach (var policy in (await Custom<ClusterPolicy>(client, "clusterpolicies", t).ConfigureAwait(false)).Cast<PolicyResource>()
                     .Concat(await Custom<Policy>(client, "policies", t).ConfigureAwait(false)))
        {
            var (compiled, problems) = PolicyCompiler.CompileIfValid(policy);
            errors.AddRange(problems.Select(p => $"{policy.Kind} \"{policy.Metadata.Name}\" is not in force: {p}"));
            if (compiled is not null)
            {
                policies.Add(compiled);
                if (!policy.IsNamespaced && PolicyCompiler.CompileIsolation(policy) is { } rule)
                {
                    isolation.Add(rule);
                }
            }
        }

        foreach (var exception in await Custom<PolicyException>(client, "policyexceptions", t).ConfigureAwait(false))
        {
            if (PolicyCompiler.CompileIfValid(exception).Compiled is { } compiled)
            {
                exceptions.Add(compiled);
            }
        }

        if (policies.Count == 0)
        {
            // What the webhook would use too, run with no policy source: say so, as the verdicts are then hypothetical.
            return (new PolicyEvaluator([.. BuiltInPolicies.Default.Select(p => p.Compiled)], exceptions), "the built-in default (the cluster has no valid policy; the webhook uses it only when run without a policy source)");
        }

        var counted = $"{Count(policies.Count, "policy", "policies")} and {Count(exceptions.Count, "exception", "exceptions")}";
        return (new PolicyEvaluator(policies, exceptions), ns is null ? $"{counted} of the cluster" : $"the cluster's {counted}");
    }

    private static string Count(int n, string one, string many) => $"{n} {(n == 1 ? one : many)}";

    private static async Task<List<T>> Custom<T>(IKubernetes client, string plural, CancellationToken t)
    {
        var all = new List<T>();
        string? token = null;
        do
        {
            using var response = await client.CustomObjects.ListClusterCustomObjectWithHttpMessagesAsync<ResourceList<T>>(
                PolicyApi.Group, PolicyApi.Version, plural, continueParameter: token, limit: PageSize, cancellationToken: t).ConfigureAwait(false);
            all.AddRange(response.Body?.Items ?? []);
            token = string.IsNullOrEmpty(response.Body?.Metadata?.ContinueProperty) ? null : response.Body.Metadata.ContinueProperty;
        }
        while (token is not null);
        return all;
    }
}
