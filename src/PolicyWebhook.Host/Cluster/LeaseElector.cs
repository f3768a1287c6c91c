using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using PolicyWebhook.Host.Hosting;

namespace PolicyWebhook.Host.Cluster;

/// <summary>
/// Elects one replica through a coordination Lease, as client-go's leader election does, and never gives up: an
/// API server that is away for minutes makes the holder stop leading once it cannot renew within the deadline,
/// and every replica keep trying, with backoff, until it answers again. A Lease is taken over only after its
/// record has stayed unchanged for the lease's duration on this replica's own clock, so clock skew between nodes
/// cannot hand it to two replicas. On shutdown the holder gives the Lease up, so another takes over at once.
/// </summary>
public sealed partial class LeaseElector
{
    private readonly IKubernetes _client;
    private readonly string _namespace;
    private readonly string _name;
    private readonly string _identity;
    private readonly LeaseTimings _timings;
    private readonly LoopHealth _health;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private (string? Holder, DateTime? RenewTime, string? Version) _observed;
    private DateTimeOffset _observedAt;
    private long _renewedAtTicks; // UTC ticks, read by other threads through Leading.
    private volatile bool _leading;

    public LeaseElector(IKubernetes client, string ns, string name, string identity, LeaseTimings timings, LoopHealth health, ILogger logger, TimeProvider time)
    {
        _client = client;
        _namespace = ns;
        _name = name;
        _identity = identity;
        _timings = timings;
        _health = health;
        _logger = logger;
        _time = time;
    }

    /// <summary>Raised when this replica takes the Lease.</summary>
    public event Action? StartedLeading;

    /// <summary>Raised when this replica loses the Lease, or can no longer renew it in time.</summary>
    public event Action? StoppedLeading;

    /// <summary>True while this replica holds the Lease and renewed it within the renew deadline, whatever a call in flight is doing.</summary>
    public bool Leading => _leading && _time.GetUtcNow() - RenewedAt < _timings.RenewDeadline;

    /// <summary>When the last renewal that succeeded was sent.</summary>
    public DateTimeOffset RenewedAt => new(Interlocked.Read(ref _renewedAtTicks), TimeSpan.Zero);

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var backoff = _timings.RetryPeriod;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                TimeSpan wait;
                // The renewal counts from when it was sent, and a round may take no longer than the holder has left
                // (or, not holding, than the renew deadline): an API server that stops answering mid-call must not
                // leave this replica leading after another has taken the Lease.
                var sent = _time.GetUtcNow();
                var budget = _leading ? _timings.RenewDeadline - (sent - RenewedAt) : _timings.RenewDeadline;
                using var round = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                round.CancelAfter(budget > TimeSpan.Zero ? budget : TimeSpan.FromMilliseconds(1));
                try
                {
                    var held = await TryAcquireOrRenewAsync(round.Token).ConfigureAwait(false);
                    _health.Succeeded();
                    backoff = _timings.RetryPeriod;
                    if (held)
                    {
                        Interlocked.Exchange(ref _renewedAtTicks, sent.UtcTicks);
                        SetLeading(true);
                    }
                    else
                    {
                        SetLeading(false);
                    }

                    wait = Jitter(_timings.RetryPeriod);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception e)
                {
                    // While leading, retry at the normal pace until the renew deadline passes; then, or when not
                    // leading, back off to the ceiling.
                    if (Leading)
                    {
                        wait = _timings.RetryPeriod;
                    }
                    else
                    {
                        SetLeading(false);
                        wait = backoff;
                        backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _timings.MaxBackoff.Ticks));
                    }

                    _health.Failed(e, wait, atCeiling: wait >= _timings.MaxBackoff);
                }

                try
                {
                    await Task.Delay(wait, _time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        finally
        {
            if (_leading)
            {
                SetLeading(false);
                await ReleaseAsync().ConfigureAwait(false);
            }
        }
    }

    private void SetLeading(bool leading)
    {
        if (_leading == leading)
        {
            return;
        }

        _leading = leading;
        if (leading)
        {
            LogLeading(_logger, _identity, _namespace, _name);
            StartedLeading?.Invoke();
        }
        else
        {
            LogStoppedLeading(_logger, _identity, _namespace, _name);
            StoppedLeading?.Invoke();
        }
    }

    /// <summary>One round: true when this replica holds the Lease after it.</summary>
    private async Task<bool> TryAcquireOrRenewAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        V1Lease lease;
        try
        {
            lease = await _client.CoordinationV1.ReadNamespacedLeaseAsync(_name, _namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            var created = new V1Lease
            {
                Metadata = new V1ObjectMeta { Name = _name, NamespaceProperty = _namespace },
                Spec = new V1LeaseSpec
                {
                    HolderIdentity = _identity,
                    LeaseDurationSeconds = (int)_timings.LeaseDuration.TotalSeconds,
                    AcquireTime = now.UtcDateTime,
                    RenewTime = now.UtcDateTime,
                    LeaseTransitions = 0,
                },
            };
            return await WriteAsync(() => _client.CoordinationV1.CreateNamespacedLeaseAsync(created, _namespace, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        var spec = lease.Spec ?? new V1LeaseSpec();
        var record = (spec.HolderIdentity, spec.RenewTime, lease.Metadata?.ResourceVersion);
        if (record != _observed)
        {
            _observed = record;
            _observedAt = now;
        }

        var mine = spec.HolderIdentity == _identity;
        var free = string.IsNullOrEmpty(spec.HolderIdentity);
        var duration = spec.LeaseDurationSeconds is > 0 and var seconds ? TimeSpan.FromSeconds(seconds) : _timings.LeaseDuration;
        if (!mine && !free && now - _observedAt < duration)
        {
            return false; // Someone else holds it, and renewed it lately as far as this replica has seen.
        }

        if (!mine)
        {
            spec.AcquireTime = now.UtcDateTime;
            spec.LeaseTransitions = (spec.LeaseTransitions ?? 0) + 1;
        }

        spec.HolderIdentity = _identity;
        spec.LeaseDurationSeconds = (int)_timings.LeaseDuration.TotalSeconds;
        spec.RenewTime = now.UtcDateTime;
        lease.Spec = spec;
        return await WriteAsync(() => _client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, _name, _namespace, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>A write that another replica beat (409 Conflict) is no failure: that replica holds the Lease.</summary>
    private static async Task<bool> WriteAsync(Func<Task<V1Lease>> write)
    {
        try
        {
            await write().ConfigureAwait(false);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            return false;
        }
    }

    /// <summary>Gives the Lease up at shutdown (best effort, briefly), so the next replica need not wait it out.</summary>
    private async Task ReleaseAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            var lease = await _client.CoordinationV1.ReadNamespacedLeaseAsync(_name, _namespace, cancellationToken: deadline.Token).ConfigureAwait(false);
            if (lease.Spec?.HolderIdentity != _identity)
            {
                return;
            }

            lease.Spec.HolderIdentity = null;
            lease.Spec.LeaseDurationSeconds = 1;
            lease.Spec.RenewTime = _time.GetUtcNow().UtcDateTime;
            await _client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, _name, _namespace, cancellationToken: deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or OperationCanceledException or IOException)
        {
            // The others take over when it expires.
        }
    }

    private static TimeSpan Jitter(TimeSpan period) =>
        period + TimeSpan.FromTicks((long)(period.Ticks * 0.2 * Random.Shared.NextDouble()));

    [LoggerMessage(EventId = 320, Level = LogLevel.Information, Message = "{Identity} holds the Lease {Namespace}/{Name} and writes policy status")]
    private static partial void LogLeading(ILogger logger, string identity, string Namespace, string name);

    [LoggerMessage(EventId = 322, Level = LogLevel.Information, Message = "{Identity} no longer holds the Lease {Namespace}/{Name}")]
    private static partial void LogStoppedLeading(ILogger logger, string identity, string Namespace, string name);
}

/// <summary>The Lease's timings, as client-go names them, and the ceiling of the wait while the API server fails.</summary>
public sealed record LeaseTimings(TimeSpan LeaseDuration, TimeSpan RenewDeadline, TimeSpan RetryPeriod, TimeSpan MaxBackoff);
