using System.Collections.Concurrent;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace PolicyWebhook.Host.Cluster;

/// <summary>
/// Keeps a copy of one kind of cluster object: lists it, then watches from the list's resourceVersion, resuming
/// from the last one seen when a watch ends, listing again on 410 Gone, and backing off while the API server is
/// unreachable. The copy is only replaced, never cleared, so readers keep the last good state through outages.
/// </summary>
public sealed partial class Reflector<T, TList>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    /// <summary>Lists (watch false) or watches (watch true) from a resourceVersion.</summary>
    public delegate Task<HttpOperationResponse<TList>> ListCall(string? resourceVersion, bool watch, CancellationToken cancellationToken);

    private readonly Func<TList?, (IEnumerable<T>? Items, string? ResourceVersion)> _read;

    private readonly string _resource;
    private readonly ListCall _call;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, T> _items = new(StringComparer.Ordinal);
    private string? _resourceVersion;

    public Reflector(string resource, ListCall call, Func<TList?, (IEnumerable<T>? Items, string? ResourceVersion)> read, ILogger logger, TimeProvider time)
    {
        _resource = resource;
        _call = call;
        _read = read;
        _logger = logger;
        _time = time;
    }

    /// <summary>Raised after the copy changed: a list, or an event.</summary>
    public event Action? Changed;

    /// <summary>True once a first list has been read.</summary>
    public bool Synced { get; private set; }

    /// <summary>Events that could not be read and were skipped.</summary>
    public long MalformedEvents => Interlocked.Read(ref _malformed);

    private long _malformed;

    /// <summary>The objects as last seen.</summary>
    public IReadOnlyCollection<T> Items => [.. _items.Values];

    /// <summary>The longest wait between two attempts while the API server fails.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Where this loop reports whether it works; a list or a watch that reads is success.</summary>
    public Hosting.LoopHealth? Health { get; init; }

    /// <summary>A watch that ends without an event is not followed by another for at least this long.</summary>
    public TimeSpan QuietWatchPause { get; init; } = TimeSpan.FromSeconds(1);

    public Task RunAsync(CancellationToken stoppingToken) =>
        new ListWatchLoop
        {
            Health = Health,
            InitialBackoff = InitialBackoff,
            MaxBackoff = MaxBackoff,
            QuietWatchPause = QuietWatchPause,
            Failed = (e, wait) => LogFailed(_logger, _resource, e.GetType().Name, wait.TotalSeconds),
            Gone = () => LogGone(_logger, _resource),
        }.RunAsync(ListAsync, WatchAsync, _time, stoppingToken);

    private async Task ListAsync(CancellationToken cancellationToken)
    {
        using var response = await _call(null, false, cancellationToken).ConfigureAwait(false);
        var (items, resourceVersion) = _read(response.Body);
        var fresh = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var item in items ?? [])
        {
            if (item?.Metadata?.Name is not null)
            {
                fresh[Key(item)] = item;
            }
        }

        foreach (var key in _items.Keys.Where(k => !fresh.ContainsKey(k)))
        {
            _items.TryRemove(key, out _);
        }

        foreach (var (key, item) in fresh)
        {
            _items[key] = item;
        }

        _resourceVersion = resourceVersion;
        Synced = true;
        LogListed(_logger, _resource, fresh.Count, _resourceVersion ?? "");
        Notify();
    }

    /// <summary>Watches until the stream ends: whether a list is needed (the version is gone), and how many events came.</summary>
    private async Task<(bool Gone, int Events)> WatchAsync(CancellationToken cancellationToken)
    {
        var gone = false;
        var count = 0;
        // The library's typed watches have no resourceVersion for custom resources, and GenericClient's watch none
        // at all; this generic one is the only watch that resumes. It is marked for a future deprecation.
#pragma warning disable CS0618
        var events = _call(_resourceVersion, true, cancellationToken).WatchAsync<T, TList>(
            e =>
            {
                // The library turns an ERROR event carrying a Status into a KubernetesException: 410 (the version is
                // too old), or another error such as 504 from a lagging API server. Either way, list again.
                if (e is KubernetesException)
                {
                    gone = true;
                    return;
                }

                Interlocked.Increment(ref _malformed);
                LogMalformed(_logger, _resource, e.GetType().Name);
            },
            cancellationToken);
#pragma warning restore CS0618
        await foreach (var (type, item) in events.ConfigureAwait(false))
        {
            count += type == WatchEventType.Error ? 0 : 1; // An error is no sign the watch works.
            switch (type)
            {
                case WatchEventType.Added or WatchEventType.Modified when item?.Metadata?.Name is not null:
                    _items[Key(item)] = item;
                    break;
                case WatchEventType.Deleted when item?.Metadata?.Name is not null:
                    _items.TryRemove(Key(item), out _);
                    break;
                case WatchEventType.Error:
                    // The API server sends 410 Gone as an ERROR event carrying a Status: the version is too old.
                    gone = true;
                    break;
            }

            if (gone)
            {
                break;
            }

            if (item?.Metadata?.ResourceVersion is { } version)
            {
                _resourceVersion = version;
            }

            if (type != WatchEventType.Bookmark)
            {
                Notify();
            }
        }

        return (gone, count);
    }

    /// <summary>Tells the listeners; a listener that fails is logged and does not stop the watch.</summary>
    private void Notify()
    {
        try
        {
            Changed?.Invoke();
        }
        catch (Exception e)
        {
            LogListenerFailed(_logger, _resource, e.GetType().Name);
        }
    }

    private static string Key(T item) => $"{item.Metadata.NamespaceProperty}/{item.Metadata.Name}";

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Listed {Count} {Resource} at resourceVersion {ResourceVersion}")]
    private static partial void LogListed(ILogger logger, string resource, int count, string resourceVersion);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "The watch of {Resource} is too old (410 Gone); listing again")]
    private static partial void LogGone(ILogger logger, string resource);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "Listing or watching {Resource} failed ({Error}); keeping the last state, trying again in {Seconds} s")]
    private static partial void LogFailed(ILogger logger, string resource, string error, double seconds);

    [LoggerMessage(EventId = 304, Level = LogLevel.Error, Message = "A listener of {Resource} failed ({Error}); the watch goes on")]
    private static partial void LogListenerFailed(ILogger logger, string resource, string error);

    [LoggerMessage(EventId = 303, Level = LogLevel.Warning, Message = "Skipped an event of {Resource} that could not be read ({Error})")]
    private static partial void LogMalformed(ILogger logger, string resource, string error);
}
