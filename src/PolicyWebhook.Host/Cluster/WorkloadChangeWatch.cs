using k8s;
using k8s.Models;
using PolicyWebhook.Host.Hosting;

namespace PolicyWebhook.Host.Cluster;

/// <summary>
/// Tells when a kind of workload changes in a way a policy can see: an object added or deleted, or (for a pod
/// controller) its spec changed, which moves <c>metadata.generation</c>. Status updates, which a busy cluster
/// sends every second, are passed over. It keeps no object, only each controller's last generation by uid, and
/// lists one item just to learn where to start watching. Like every loop, it survives any outage: it backs off,
/// lists again and resumes.
/// </summary>
public sealed class WorkloadChangeWatch<T, TList>
    where T : class, IKubernetesObject<V1ObjectMeta>
    where TList : IMetadata<V1ListMeta>
{
    private readonly Reflector<T, TList>.ListCall _call;
    private readonly bool _pods;
    private readonly Action _changed;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, long> _generations = new(StringComparer.Ordinal);
    private string? _resourceVersion;

    public WorkloadChangeWatch(Reflector<T, TList>.ListCall call, bool pods, Action changed, TimeProvider time)
    {
        _call = call;
        _pods = pods;
        _changed = changed;
        _time = time;
    }

    public LoopHealth? Health { get; init; }

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    public Task RunAsync(CancellationToken stoppingToken) =>
        new ListWatchLoop { Health = Health, InitialBackoff = InitialBackoff, MaxBackoff = MaxBackoff }.RunAsync(ListAsync, WatchAsync, _time, stoppingToken);

    /// <summary>Only where to start: one item, and the list's resourceVersion.</summary>
    private async Task ListAsync(CancellationToken cancellationToken)
    {
        using var response = await _call(null, false, cancellationToken).ConfigureAwait(false);
        _resourceVersion = response.Body?.Metadata?.ResourceVersion;
    }

    private async Task<(bool Gone, int Events)> WatchAsync(CancellationToken cancellationToken)
    {
        var gone = false;
        var count = 0;
#pragma warning disable CS0618 // The only watch of the library that resumes from a resourceVersion (see Reflector).
        var events = _call(_resourceVersion, true, cancellationToken).WatchAsync<T, TList>(e => gone |= e is KubernetesException, cancellationToken);
#pragma warning restore CS0618
        await foreach (var (type, item) in events.ConfigureAwait(false))
        {
            if (type == WatchEventType.Error)
            {
                gone = true;
            }
            else
            {
                count++;
            }

            if (gone)
            {
                break;
            }

            if (item?.Metadata is not { } metadata)
            {
                continue;
            }

            _resourceVersion = metadata.ResourceVersion ?? _resourceVersion;
            if (Matters(type, metadata))
            {
                _changed();
            }
        }

        return (gone, count);
    }

    private bool Matters(WatchEventType type, V1ObjectMeta metadata)
    {
        if (PolicyWebhook.Cluster.WorkloadAudit.IsLeftToOwner(metadata))
        {
            return false; // Reported on its owner, whose own change is what counts: a rollout's Pods and ReplicaSets change nothing.
        }

        var uid = metadata.Uid ?? $"{metadata.NamespaceProperty}/{metadata.Name}";
        switch (type)
        {
            case WatchEventType.Added:
                _generations[uid] = metadata.Generation ?? 0;
                return true;
            case WatchEventType.Deleted:
                _generations.Remove(uid);
                return true;
            case WatchEventType.Modified when !_pods:
                // A controller's spec change moves its generation; its status updates do not.
                var generation = metadata.Generation ?? 0;
                var changed = !_generations.TryGetValue(uid, out var last) || last != generation;
                _generations[uid] = generation;
                return changed;
            default:
                // A Pod's spec does not change after creation (but for ephemeral containers, which the audit does
                // not report on); its other updates are status.
                return false;
        }
    }
}
