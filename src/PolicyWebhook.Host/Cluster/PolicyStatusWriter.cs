using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using k8s.Models;
using Microsoft.Extensions.Options;
using PolicyWebhook.Host.Admission;
using PolicyWebhook.Host.Policies;
using PolicyWebhook.Policies.Resources;

namespace PolicyWebhook.Host.Cluster;

/// <summary>
/// Writes each policy's and exception's <c>status</c>: a Ready condition (True, or False with the validation errors)
/// and the generation it describes. With several replicas, only the holder of a coordination Lease writes; a
/// status already current is not written again, so the watch event a write causes changes nothing.
/// </summary>
public sealed partial class PolicyStatusWriter : BackgroundService
{
    private readonly IPolicySource _source;
    private readonly IServiceProvider _services;
    private readonly ILogger<PolicyStatusWriter> _logger;
    private readonly StatusWriterOptions _options;
    // At most one pending signal: a burst of snapshots makes one more pass, not one per snapshot.
    private readonly SemaphoreSlim _changed = new(0, 1);
    private readonly Dictionary<string, (long Generation, string Status, string Message, DateTimeOffset At)> _written = new(StringComparer.Ordinal);
    private volatile bool _leading;

    public PolicyStatusWriter(IPolicySource source, IServiceProvider services, IOptions<StatusWriterOptions> options, ILogger<PolicyStatusWriter> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _source = source;
        _services = services;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>True while this replica holds the Lease.</summary>
    public bool Leading => _leading;

    /// <summary>Status patches written so far.</summary>
    public int Writes { get; private set; }

    public override void Dispose()
    {
        _changed.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_source is not ClusterPolicySource cluster)
        {
            return; // Policies from files have no status to write.
        }

        var client = _services.GetRequiredService<IKubernetes>();
        cluster.SnapshotPublished += Signal;
        var identity = _options.Identity ?? Environment.GetEnvironmentVariable("POD_NAME") ?? $"{Environment.MachineName}-{Guid.NewGuid():N}";
        var lease = new LeaseLock(client, _options.LeaseNamespace ?? _services.GetRequiredService<IOptions<AdmissionOptions>>().Value.EffectiveOwnNamespace(), _options.LeaseName, identity);
        var elector = new LeaderElector(new LeaderElectionConfig(lease)
        {
            LeaseDuration = _options.LeaseDuration,
            RenewDeadline = _options.RenewDeadline,
            RetryPeriod = _options.RetryPeriod,
        });
        elector.OnStartedLeading += () =>
        {
            _leading = true;
            LogLeading(_logger, identity);
            Signal();
        };
        elector.OnStoppedLeading += () => _leading = false;
        var electing = elector.RunAndTryToHoldLeadershipForeverAsync(stoppingToken);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                // Also once a minute without a change: an exception that expires changes its status on its own.
                await _changed.WaitAsync(_options.RecheckInterval, stoppingToken).ConfigureAwait(false);
                if (_leading)
                {
                    await WriteAsync(client, cluster.States, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            cluster.SnapshotPublished -= Signal;
        }

        try
        {
            await electing.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // Losing the election loop must not stop admission; status simply is not written.
            LogWriteFailed(_logger, "Lease", _options.LeaseName, e.GetType().Name);
        }
    }

    private void Signal()
    {
        try
        {
            _changed.Release();
        }
        catch (SemaphoreFullException)
        {
            // A pass is already pending; it will see this snapshot.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task WriteAsync(IKubernetes client, IReadOnlyList<ObjectState> states, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var state in states.Where(s => !s.StatusIsCurrentAt(now)))
        {
            if (!_leading)
            {
                return;
            }

            var (status, reason, message) = state.DesiredAt(now);
            // The watch may not have brought back the last write yet: do not write the same status twice in a row.
            var key = $"{state.Plural}/{state.Namespace}/{state.Name}";
            if (_written.TryGetValue(key, out var last) && last.Generation == state.Generation && last.Status == status && last.Message == message
                && now - last.At < TimeSpan.FromSeconds(30))
            {
                continue;
            }

            var patch = new JsonObject
            {
                ["status"] = new JsonObject
                {
                    ["observedGeneration"] = state.Generation,
                    ["conditions"] = new JsonArray(new JsonObject
                    {
                        ["type"] = "Ready",
                        ["status"] = status,
                        ["reason"] = reason,
                        ["message"] = message,
                        // The time the status last changed, not the time of this write.
                        ["lastTransitionTime"] = state.Ready is { Status: var previous, LastTransitionTime: { } since } && previous == status
                            ? since
                            : now.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
                        ["observedGeneration"] = state.Generation,
                    }),
                },
            };
            var body = new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch);
            try
            {
                if (state.Namespace is { Length: > 0 } ns)
                {
                    await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(body, PolicyApi.Group, PolicyApi.Version, ns, state.Plural, state.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await client.CustomObjects.PatchClusterCustomObjectStatusAsync(body, PolicyApi.Group, PolicyApi.Version, state.Plural, state.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
                }

                Writes++;
                _written[key] = (state.Generation, status, message, DateTimeOffset.UtcNow);
                if (_written.Count > 10_000)
                {
                    _written.Clear(); // Only a guard against repeats; forgetting is harmless.
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // The next snapshot tries again; admission never waits for this.
                LogWriteFailed(_logger, state.Kind, state.Name, e.GetType().Name);
            }
        }
    }

    [LoggerMessage(EventId = 320, Level = LogLevel.Information, Message = "{Identity} holds the status Lease and writes policy status")]
    private static partial void LogLeading(ILogger logger, string identity);

    [LoggerMessage(EventId = 321, Level = LogLevel.Warning, Message = "Could not write the status of {Kind} {Name} ({Error}); will try again")]
    private static partial void LogWriteFailed(ILogger logger, string kind, string name, string error);
}

/// <summary>Settings of the status writer and its Lease, bound from <c>Policies:Status</c>.</summary>
public sealed class StatusWriterOptions
{
    public const string Section = "Policies:Status";

    /// <summary>The coordination Lease that elects the one replica writing status.</summary>
    public string LeaseName { get; set; } = "policy-webhook-status";

    /// <summary>Where the Lease lives; the webhook's own namespace when unset.</summary>
    public string? LeaseNamespace { get; set; }

    /// <summary>This replica's name in the Lease; POD_NAME when unset.</summary>
    public string? Identity { get; set; }

    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    public TimeSpan RenewDeadline { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryPeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often status is checked without a change, so expiries show.</summary>
    public TimeSpan RecheckInterval { get; set; } = TimeSpan.FromMinutes(1);
}
