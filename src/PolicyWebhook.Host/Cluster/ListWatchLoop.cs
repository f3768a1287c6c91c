using System.Net;
using k8s.Autorest;
using PolicyWebhook.Host.Hosting;

namespace PolicyWebhook.Host.Cluster;

/// <summary>
/// The list-then-watch loop every watcher runs, in one place: list, watch from there, resume after a watch ends,
/// list again when the version is gone (410), and back off to a ceiling while the API server fails, until the host
/// stops. Nothing escapes it: a kind that stopped being watched would leave admission or reports frozen.
/// </summary>
public sealed class ListWatchLoop
{
    public LoopHealth? Health { get; init; }

    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest wait between two attempts while the API server fails.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A watch that ends without an event is not followed by another for at least this long.</summary>
    public TimeSpan QuietWatchPause { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Told of a failure when there is no <see cref="Health"/> to report it to: the error and the wait.</summary>
    public Action<Exception, TimeSpan>? Failed { get; init; }

    /// <summary>Told when the API server said the version is too old.</summary>
    public Action? Gone { get; init; }

    /// <param name="list">Lists (and so learns where to watch from).</param>
    /// <param name="watch">Watches until the stream ends: whether the version is gone (an ERROR event), and how many other events came.</param>
    /// <param name="time">The clock the pauses are taken on.</param>
    /// <param name="stoppingToken">Ends the loop.</param>
    public async Task RunAsync(Func<CancellationToken, Task> list, Func<CancellationToken, Task<(bool Gone, int Events)>> watch, TimeProvider time, CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(list);
        ArgumentNullException.ThrowIfNull(watch);
        var backoff = InitialBackoff;
        var mustList = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan pause;
            try
            {
                if (mustList)
                {
                    await list(stoppingToken).ConfigureAwait(false);
                    mustList = false;
                    Health?.Succeeded();
                }

                var (gone, events) = await watch(stoppingToken).ConfigureAwait(false);
                mustList = gone;
                if (gone)
                {
                    // An API server that keeps ending watches with an error ("too old", "too large resource
                    // version" from a lagging member) must not get a full list every half second: the pause grows
                    // until a watch brings a real event.
                    Gone?.Invoke();
                    pause = backoff;
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                }
                else
                {
                    if (events > 0)
                    {
                        backoff = InitialBackoff;
                        Health?.Succeeded();
                    }

                    // A proxy that closes watches at once must not turn this into a tight loop either.
                    pause = events == 0 ? QuietWatchPause : TimeSpan.Zero;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Gone)
            {
                Gone?.Invoke();
                mustList = true;
                pause = TimeSpan.Zero;
            }
            catch (Exception e)
            {
                // The API server went away or answered nonsense, or a reader failed: keep what is known, wait, list
                // again. The first failure of an outage is logged, then one line per attempt at the ceiling.
                if (Health is { } health)
                {
                    health.Failed(e, backoff, atCeiling: backoff >= MaxBackoff);
                }
                else
                {
                    Failed?.Invoke(e, backoff);
                }

                mustList = true;
                pause = backoff;
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }

            if (pause > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(pause, time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
