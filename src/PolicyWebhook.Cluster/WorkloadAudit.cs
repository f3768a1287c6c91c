using System.Runtime.CompilerServices;
using k8s;
using k8s.Models;
using PolicyWebhook.Engine;

namespace PolicyWebhook.Cluster;

/// <summary>What became of one listed workload in an audit.</summary>
public enum AuditOutcome
{
    /// <summary>Evaluated: at least one policy matched it.</summary>
    Evaluated,

    /// <summary>In a namespace the webhook never checks.</summary>
    Exempt,

    /// <summary>Owned by a controller that is audited too, where its findings are reported.</summary>
    LeftToOwner,

    /// <summary>No policy matched it.</summary>
    NoPolicy,
}

/// <summary>One workload as an audit saw it: where it is, and its verdict when it was evaluated. Holds no object.</summary>
public sealed record AuditedWorkload(string ApiVersion, string Kind, string Namespace, string Name, string? Uid, AuditOutcome Outcome, EvaluationResult? Result);

/// <summary>
/// Lists a cluster's Pods and pod controllers page by page and evaluates each against a policy set, the way both
/// <c>scan</c> and the in-cluster policy reports do, so the two always agree: the same exemptions, and a finding
/// reported once, on the object one would fix (a Pod owned by a ReplicaSet, or a ReplicaSet owned by a
/// Deployment, is left to its owner). One page is in memory at a time; nothing of an object is kept.
/// </summary>
public static class WorkloadAudit
{
    public const int PageSize = 500;

    /// <summary>The owners whose children are left to them: these kinds, in these API groups, are audited too.</summary>
    private static readonly HashSet<(string Group, string Kind)> Controllers =
    [
        ("apps", "Deployment"), ("apps", "ReplicaSet"), ("apps", "StatefulSet"), ("apps", "DaemonSet"),
        ("batch", "Job"), ("batch", "CronJob"), ("", "ReplicationController"),
    ];

    /// <summary>True when a controller that is itself audited owns this object.</summary>
    public static bool IsLeftToOwner(V1ObjectMeta? metadata) =>
        metadata?.OwnerReferences?.Any(o => o.Controller == true && Controllers.Contains((Group(o.ApiVersion), o.Kind))) == true;

    /// <summary>Every workload of the cluster (or of one namespace), owners first, with what the audit made of it.</summary>
    public static IAsyncEnumerable<AuditedWorkload> RunAsync(
        IKubernetes client,
        PolicyEvaluator evaluator,
        Func<string, IDictionary<string, string>?> labelsOf,
        string? ns,
        IReadOnlySet<string> exempt,
        CancellationToken cancellationToken) =>
        RunAsync(client, evaluator, labelsOf, ns, exempt, TimeProvider.System, cancellationToken);

    /// <summary>As the overload above, judging exceptions' expiry on <paramref name="time"/>.</summary>
    public static async IAsyncEnumerable<AuditedWorkload> RunAsync(
        IKubernetes client,
        PolicyEvaluator evaluator,
        Func<string, IDictionary<string, string>?> labelsOf,
        string? ns,
        IReadOnlySet<string> exempt,
        TimeProvider time,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(evaluator);
        ArgumentNullException.ThrowIfNull(labelsOf);
        ArgumentNullException.ThrowIfNull(exempt);
        await foreach (var (apiVersion, kind, obj) in Workloads(client, ns, cancellationToken).ConfigureAwait(false))
        {
            var metadata = obj.Metadata;
            var objectNamespace = metadata.NamespaceProperty ?? "default";
            var outcome = exempt.Contains(objectNamespace) ? AuditOutcome.Exempt
                : IsLeftToOwner(metadata) ? AuditOutcome.LeftToOwner
                : AuditOutcome.Evaluated;
            EvaluationResult? result = null;
            if (outcome == AuditOutcome.Evaluated)
            {
                obj.ApiVersion = apiVersion; // List items come without kind and apiVersion; the engine names objects by kind.
                obj.Kind = kind;
                result = evaluator.Evaluate(obj, new EvaluationContext(objectNamespace, labelsOf(objectNamespace)) { Now = time.GetUtcNow() });
                outcome = result is null ? AuditOutcome.NoPolicy : AuditOutcome.Evaluated;
            }

            yield return new AuditedWorkload(apiVersion, kind, objectNamespace, metadata.Name, metadata.Uid, outcome, result);
        }
    }

    private static async IAsyncEnumerable<(string ApiVersion, string Kind, IKubernetesObject<V1ObjectMeta> Object)> Workloads(
        IKubernetes c, string? ns, [EnumeratorCancellation] CancellationToken t)
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
                yield return (apiVersion, kind, o);
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

    /// <summary>
    /// Every item of a paged list, one page in memory at a time. A continue token can expire during a long audit
    /// (410 Gone): the list then starts again, skipping the items already given by their uid, a few times at most.
    /// </summary>
    public static async IAsyncEnumerable<T> Pages<T, TList>(Func<string?, Task<TList>> list, Func<TList, (IEnumerable<T>? Items, string? Continue)> read)
    {
        ArgumentNullException.ThrowIfNull(list);
        ArgumentNullException.ThrowIfNull(read);
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
}
