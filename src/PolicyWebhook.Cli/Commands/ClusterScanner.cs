using k8s;
using k8s.Models;
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
}

/// <summary>
/// Lists the Pods and pod controllers of a cluster page by page and evaluates them against the cluster's own
/// policies and exceptions. An object a listed controller owns (a ReplicaSet of a Deployment, a Pod of a
/// ReplicaSet) is left to its owner, so each finding is reported once, where it is fixed. Only objects with
/// findings are kept, so memory stays bounded by the findings, not by the cluster.
/// </summary>
internal static class ClusterScanner
{
    private const int PageSize = 500;

    /// <summary>The owners whose children are left to them: these kinds, in these API groups, are scanned too.</summary>
    private static readonly HashSet<(string Group, string Kind)> Controllers =
    [
        ("apps", "Deployment"), ("apps", "ReplicaSet"), ("apps", "StatefulSet"), ("apps", "DaemonSet"),
        ("batch", "Job"), ("batch", "CronJob"), ("", "ReplicationController"),
    ];

    public static async Task<ScanRun> RunAsync(IKubernetes client, string? ns, IReadOnlySet<string> exempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(exempt);
        var errors = new List<string>();
        var (evaluator, origin) = await LoadPoliciesAsync(client, ns, errors, cancellationToken).ConfigureAwait(false);
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
            await foreach (var n in Pages(token => client.CoreV1.ListNamespaceAsync(continueParameter: token, limit: PageSize, cancellationToken: cancellationToken), l => (l.Items, l.Metadata?.ContinueProperty)).ConfigureAwait(false))
            {
                labels[n.Metadata.Name] = n.Metadata.Labels ?? new Dictionary<string, string>();
            }
        }

        var results = new List<ObjectResult>();
        var checkedCount = 0;
        var index = 0;
        var skipped = 0;
        await foreach (var obj in Workloads(client, ns, cancellationToken).ConfigureAwait(false))
        {
            if (obj.Metadata.OwnerReferences?.Any(o => o.Controller == true && Controllers.Contains((Group(o.ApiVersion), o.Kind))) == true)
            {
                continue;
            }

            var objectNamespace = obj.Metadata.NamespaceProperty ?? "default";
            if (exempt.Contains(objectNamespace))
            {
                // The webhook lets everything in here unchecked; reporting it as "would be denied" would be false.
                skipped++;
                continue;
            }

            var context = new EvaluationContext(objectNamespace, labels.GetValueOrDefault(objectNamespace));
            if (evaluator.Evaluate(obj, context) is not { } result)
            {
                continue;
            }

            checkedCount++;
            if (result.Violations.Count > 0 || result.Waived.Count > 0)
            {
                results.Add(new ObjectResult("cluster", index, 0, result));
            }

            index++;
        }

        return new ScanRun(results, checkedCount, errors, origin) { Exempt = exempt, SkippedExempt = skipped };
    }

    private static async IAsyncEnumerable<IKubernetesObject<V1ObjectMeta>> Workloads(IKubernetes c, string? ns, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken t)
    {
        // Owners first: a finding is reported on the object that owns it, and its children are skipped.
        var lists = new (string ApiVersion, string Kind, Func<string?, Task<(IEnumerable<IKubernetesObject<V1ObjectMeta>>, string?)>> Page)[]
        {
            ("apps/v1", "Deployment", k => Read<V1DeploymentList, V1Deployment>(ns is null ? c.AppsV1.ListDeploymentForAllNamespacesAsync(continueParameter: k, limit: PageSize, cancellationToken: t) : c.AppsV1.ListNamespacedDeploymentAsync(ns, continueParameter: k, limit: PageSize, cancellationToken: t))),
            ("apps/v1", "StatefulSet", k => Read<V1StatefulSetList, V1StatefulSet>(ns is null ? c.AppsV1.ListStatefulSetForAllNamespacesAsync(continueParameter: k, limit: PageSize, cancellationToken: t) : c.AppsV1.ListNamespacedStatefulSetAsync(ns, continueParameter: k, limit: PageSize, cancellationToken: t))),
            ("apps/v1", "DaemonSet", k => Read<V1DaemonSetList, V1DaemonSet>(ns is null ? c.AppsV1.ListDaemonSetForAllNamespacesAsync(continueParameter: k, limit: PageSize, cancellationToken: t) : c.AppsV1.ListNamespacedDaemonSetAsync(ns, continueParameter: k, limit: PageSize, cancellationToken: t))),
            ("apps/v1", "ReplicaSet", k => Read<V1ReplicaSetList, V1ReplicaSet>(ns is null ? c.AppsV1.ListReplicaSetForAllNamespacesAsync(continueParameter: k, limit: PageSize, cancellationToken: t) : c.AppsV1.ListNamespacedReplicaSetAsync(ns, continueParameter: k, limit: PageSize, cancellationToken: t))),
            ("batch/v1", "CronJob", k => Read<V1CronJobList, V1CronJob>(ns is null ? c.BatchV1.ListCronJobForAllNamespacesAsync(continueParameter: k, limit: PageSize, cancellationToken: t) : c.BatchV1.ListNamespacedCronJobAsync(ns, continueParameter: k, limit: PageSize, cancellationToken: t))),
            ("batch/v1", "Job", k => Read<V1JobList, V1Job>(ns is null ? c.BatchV1.ListJobForAllNamespacesAsync(continueParameter: k, limit: PageSize, cancellationToken: t) : c.BatchV1.ListNamespacedJobAsync(ns, continueParameter: k, limit: PageSize, cancellationToken: t))),
            ("v1", "ReplicationController", k => Read<V1ReplicationControllerList, V1ReplicationController>(ns is null ? c.CoreV1.ListReplicationControllerForAllNamespacesAsync(continueParameter: k, limit: PageSize, cancellationToken: t) : c.CoreV1.ListNamespacedReplicationControllerAsync(ns, continueParameter: k, limit: PageSize, cancellationToken: t))),
            ("v1", "Pod", k => Read<V1PodList, V1Pod>(ns is null ? c.CoreV1.ListPodForAllNamespacesAsync(continueParameter: k, limit: PageSize, cancellationToken: t) : c.CoreV1.ListNamespacedPodAsync(ns, continueParameter: k, limit: PageSize, cancellationToken: t))),
        };
        foreach (var (apiVersion, kind, page) in lists)
        {
            await foreach (var o in Pages(page, x => x).WithCancellation(t).ConfigureAwait(false))
            {
                yield return Stamp(o, apiVersion, kind);
            }
        }
    }

    private static async Task<(IEnumerable<IKubernetesObject<V1ObjectMeta>>, string?)> Read<TList, T>(Task<TList> list)
        where TList : IMetadata<V1ListMeta>, IItems<T>
        where T : IKubernetesObject<V1ObjectMeta>
    {
        var page = await list.ConfigureAwait(false);
        return (page.Items.Cast<IKubernetesObject<V1ObjectMeta>>(), page.Metadata?.ContinueProperty);
    }

    private static string Group(string? apiVersion) =>
        apiVersion is null ? string.Empty : apiVersion.Contains('/', StringComparison.Ordinal) ? apiVersion[..apiVersion.IndexOf('/', StringComparison.Ordinal)] : string.Empty;

    /// <summary>List items come without kind and apiVersion; the engine names objects by kind.</summary>
    private static IKubernetesObject<V1ObjectMeta> Stamp(IKubernetesObject<V1ObjectMeta> obj, string apiVersion, string kind)
    {
        obj.ApiVersion = apiVersion;
        obj.Kind = kind;
        return obj;
    }

    /// <summary>
    /// Every item of a paged list, one page in memory at a time. A continue token can expire during a long scan
    /// (410 Gone): the list then starts again, skipping the items already given by their uid, a few times at most.
    /// </summary>
    private static async IAsyncEnumerable<T> Pages<T, TList>(Func<string?, Task<TList>> list, Func<TList, (IEnumerable<T>? Items, string? Continue)> read)
    {
        const int Restarts = 3;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? token = null;
        var restarts = 0;
        while (true)
        {
            TList page;
            try
            {
                page = await list(token).ConfigureAwait(false);
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Gone && token is not null && restarts < Restarts)
            {
                restarts++;
                token = null;
                continue;
            }

            var (items, next) = read(page);
            foreach (var item in items ?? [])
            {
                // Items without a uid (never from a real API server) are always given.
                var uid = (item as IKubernetesObject<V1ObjectMeta>)?.Metadata?.Uid;
                if (uid is null || seen.Add(uid))
                {
                    yield return item;
                }
            }

            token = string.IsNullOrEmpty(next) ? null : next;
            if (token is null)
            {
                yield break;
            }
        }
    }

    private static async Task<(PolicyEvaluator Evaluator, string Origin)> LoadPoliciesAsync(IKubernetes client, string? ns, List<string> errors, CancellationToken t)
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
