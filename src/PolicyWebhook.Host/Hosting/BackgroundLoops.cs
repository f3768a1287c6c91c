using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace PolicyWebhook.Host.Hosting;

/// <summary>
/// Whether each background loop (a watch, the status writer, a reloader) is doing its work, for <c>/readyz</c>
/// and the <c>policywebhook.loop.up</c> metric: a loop that keeps failing, or has stopped, shows there, while
/// admission goes on serving the last good state.
/// </summary>
public sealed partial class BackgroundLoops
{
    private readonly ConcurrentDictionary<string, LoopHealth> _loops = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly ILogger<BackgroundLoops> _logger;
    private readonly Counter<long>? _failures;

    public BackgroundLoops(TimeProvider time, ILogger<BackgroundLoops> logger, IMeterFactory? meterFactory = null)
    {
        _time = time;
        _logger = logger;
        if (meterFactory is not null)
        {
            var meter = meterFactory.Create(Telemetry.AdmissionMetrics.MeterName);
            meter.CreateObservableGauge(
                "policywebhook.loop.up",
                () => _loops.Values.Select(l => new Measurement<int>(l.Up ? 1 : 0, new KeyValuePair<string, object?>("loop", l.Name))),
                "{loop}",
                "1 while a background loop (watch, status writer, reloader) works; 0 while it fails or has stopped.");
            _failures = meter.CreateCounter<long>("policywebhook.loop.failures", "{failure}", "Failed attempts of a background loop; each is retried with backoff.");
        }
    }

    /// <summary>A loop's handle; the same name gives the same handle.</summary>
    public LoopHealth Register(string name) => _loops.GetOrAdd(name, n => new LoopHealth(n, this));

    /// <summary>Forgets a loop that stopped on purpose (a leader-only watch on a replica that no longer leads).</summary>
    public void Unregister(string name) => _loops.TryRemove(name, out _);

    /// <summary>Every loop as it stands now, by name.</summary>
    public IReadOnlyList<LoopHealth> All => [.. _loops.Values.OrderBy(l => l.Name, StringComparer.Ordinal)];

    internal DateTimeOffset Now => _time.GetUtcNow();

    internal void Failed(LoopHealth loop, string error, bool first, TimeSpan retryIn)
    {
        _failures?.Add(1, new KeyValuePair<string, object?>("loop", loop.Name));
        if (first)
        {
            LogFailing(_logger, loop.Name, error, retryIn.TotalSeconds);
        }
        else
        {
            LogStillFailing(_logger, loop.Name, error, loop.Failures, (Now - loop.FailingSince!.Value).TotalSeconds, retryIn.TotalSeconds);
        }
    }

    internal void Recovered(LoopHealth loop, TimeSpan after, long failures) => LogRecovered(_logger, loop.Name, after.TotalSeconds, failures);

    internal void StoppedUnexpectedly(LoopHealth loop, string error) => LogStopped(_logger, loop.Name, error);

    [LoggerMessage(EventId = 330, Level = LogLevel.Warning, Message = "{Loop} failed ({Error}); keeping the last good state, trying again in {RetrySeconds} s")]
    private static partial void LogFailing(ILogger logger, string loop, string error, double retrySeconds);

    [LoggerMessage(EventId = 331, Level = LogLevel.Warning, Message = "{Loop} still failing ({Error}): {Failures} attempts in {Seconds:F0} s; trying again in {RetrySeconds} s")]
    private static partial void LogStillFailing(ILogger logger, string loop, string error, long failures, double seconds, double retrySeconds);

    [LoggerMessage(EventId = 332, Level = LogLevel.Information, Message = "{Loop} works again after {Seconds:F0} s and {Failures} failed attempts")]
    private static partial void LogRecovered(ILogger logger, string loop, double seconds, long failures);

    [LoggerMessage(EventId = 333, Level = LogLevel.Error, Message = "{Loop} stopped unexpectedly ({Error}); starting it again")]
    private static partial void LogStopped(ILogger logger, string loop, string error);
}

/// <summary>One loop's state: working, failing since when and how often, or stopped.</summary>
public sealed class LoopHealth
{
    private readonly BackgroundLoops _owner;
    private readonly Lock _lock = new();

    internal LoopHealth(string name, BackgroundLoops owner)
    {
        Name = name;
        _owner = owner;
    }

    public string Name { get; }

    /// <summary>When the current run of failures began; null while the loop works.</summary>
    public DateTimeOffset? FailingSince { get; private set; }

    /// <summary>Failed attempts in the current run of failures.</summary>
    public long Failures { get; private set; }

    /// <summary>The last error's type, while failing.</summary>
    public string? LastError { get; private set; }

    /// <summary>False once the loop has ended for good (outside shutdown), or before it first ran.</summary>
    public bool Running { get; private set; }

    /// <summary>Running and not failing.</summary>
    public bool Up => Running && FailingSince is null;

    /// <summary>The loop did its work: any run of failures is over.</summary>
    public void Succeeded()
    {
        DateTimeOffset? since;
        long failures;
        lock (_lock)
        {
            Running = true;
            since = FailingSince;
            failures = Failures;
            FailingSince = null;
            Failures = 0;
            LastError = null;
        }

        if (since is { } began)
        {
            _owner.Recovered(this, _owner.Now - began, failures);
        }
    }

    /// <summary>
    /// An attempt failed and will be retried after <paramref name="retryIn"/>. The first failure of a run is logged
    /// as it happens; later ones once the wait has grown to its ceiling, so an outage of minutes logs a few lines.
    /// </summary>
    public void Failed(Exception error, TimeSpan retryIn, bool atCeiling = false)
    {
        ArgumentNullException.ThrowIfNull(error);
        bool first;
        lock (_lock)
        {
            Running = true;
            first = FailingSince is null;
            FailingSince ??= _owner.Now;
            Failures++;
            LastError = error.GetType().Name;
        }

        if (first || atCeiling)
        {
            _owner.Failed(this, LastError!, first, retryIn);
        }
    }

    /// <summary>The loop has begun running.</summary>
    public void Started()
    {
        lock (_lock)
        {
            Running = true;
        }
    }

    /// <summary>The loop has ended; <paramref name="error"/> is what ended it when it was not a shutdown.</summary>
    public void Stopped(Exception? error = null)
    {
        lock (_lock)
        {
            Running = false;
        }

        if (error is not null)
        {
            _owner.StoppedUnexpectedly(this, error.GetType().Name);
        }
    }
}
