using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Options;
using PolicyWebhook.Host.Admission;
using PolicyWebhook.Host.Hosting;
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
    private readonly ChangeSignal _changed = new();
    private readonly Dictionary<string, (long Generation, string Status, string Message, DateTimeOffset At)> _written = new(StringComparer.Ordinal);
    private volatile LeaseElector? _elector;

    public PolicyStatusWriter(IPolicySource source, IServiceProvider services, IOptions<StatusWriterOptions> options, ILogger<PolicyStatusWriter> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _source = source;
        _services = services;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>True while this replica holds the Lease.</summary>
    public bool Leading => _elector?.Leading == true;

    /// <summary>When this replica last renewed the Lease.</summary>
    public DateTimeOffset? LeaseRenewedAt => _elector?.RenewedAt;

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
        var loops = _services.GetService<BackgroundLoops>() ?? cluster.Loops;
        var time = _services.GetService<TimeProvider>() ?? TimeProvider.System;
        cluster.SnapshotPublished += _changed.Signal;
        var identity = _options.Identity ?? Environment.GetEnvironmentVariable("POD_NAME") ?? $"{Environment.MachineName}-{Guid.NewGuid():N}";
        var elector = new LeaseElector(
            client,
            _options.LeaseNamespace ?? _services.GetRequiredService<IOptions<AdmissionOptions>>().Value.EffectiveOwnNamespace(),
            _options.LeaseName,
            identity,
            new LeaseTimings(_options.LeaseDuration, _options.RenewDeadline, _options.RetryPeriod, _options.MaxBackoff),
            loops.Register("status lease"),
            _logger,
            time);
        _elector = elector;
        elector.StartedLeading += _changed.Signal; // A new leader writes whatever is not current.
        var writes = loops.Register("status writer");
        try
        {
            // Both run until shutdown whatever happens to them: the elector keeps trying through any outage.
            await Task.WhenAll(
                Supervisor.RunAsync(loops.Register("status lease"), elector.RunAsync, time, stoppingToken, _options.MaxBackoff),
                Supervisor.RunAsync(writes, token => WriteLoopAsync(client, cluster, writes, time, token), time, stoppingToken, _options.MaxBackoff)).ConfigureAwait(false);
        }
        finally
        {
            cluster.SnapshotPublished -= _changed.Signal;
        }
    }

    private async Task WriteLoopAsync(IKubernetes client, ClusterPolicySource cluster, LoopHealth health, TimeProvider time, CancellationToken stoppingToken)
    {
        var retry = _options.RetryPeriod;
        var failed = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            // Also once a minute without a change: an exception that expires changes its status on its own. After a
            // failed write, sooner, with backoff, so status catches up by itself once the API server is back.
            var wait = failed ? retry : _options.RecheckInterval;
            try
            {
                await _changed.WaitAsync(wait, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            if (!Leading)
            {
                failed = false;
                continue;
            }

            var error = await WriteAsync(client, cluster.States, failingAlready: health.FailingSince is not null, stoppingToken).ConfigureAwait(false);
            failed = error is not null;
            if (error is null)
            {
                health.Succeeded();
                retry = _options.RetryPeriod;
            }
            else
            {
                health.Failed(error, retry, atCeiling: retry >= _options.MaxBackoff);
                retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, _options.MaxBackoff.Ticks));
            }
        }
    }

    /// <summary>Writes every status that is not current; the first error met, or null when all went through.</summary>
    private async Task<Exception?> WriteAsync(IKubernetes client, IReadOnlyList<ObjectState> states, bool failingAlready, CancellationToken cancellationToken)
    {
        Exception? firstError = null;
        var now = DateTimeOffset.UtcNow;
        foreach (var state in states.Where(s => !s.StatusIsCurrentAt(now)))
        {
            if (!Leading)
            {
                return firstError;
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
                // Tried again after a pause, or with the next snapshot; admission never waits for this.
                // Named once, when writes start failing; the loop's health then logs the rest of the outage.
                if (firstError is null && !failingAlready)
                {
                    LogWriteFailed(_logger, state.Kind, state.Name, e.GetType().Name);
                }

                firstError ??= e;
                if (e is HttpRequestException or TimeoutException or IOException)
                {
                    return firstError; // The API server is away: the other writes would fail the same way.
                }
            }
        }

        return firstError;
    }

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

    /// <summary>The longest wait between two attempts while the API server fails.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often status is checked without a change, so expiries show.</summary>
    public TimeSpan RecheckInterval { get; set; } = TimeSpan.FromMinutes(1);
}
