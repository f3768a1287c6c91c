namespace PolicyWebhook.Host.Hosting;

/// <summary>
/// Keeps a background loop running until the host stops: a loop that throws, or returns early, is started again
/// after a pause that grows to a ceiling. Nothing a loop does can end it for good, nor take the host down with it.
/// </summary>
public static class Supervisor
{
    public static async Task RunAsync(LoopHealth health, Func<CancellationToken, Task> loop, TimeProvider time, CancellationToken stoppingToken, TimeSpan? maxPause = null)
    {
        ArgumentNullException.ThrowIfNull(health);
        ArgumentNullException.ThrowIfNull(loop);
        var ceiling = maxPause ?? TimeSpan.FromSeconds(30);
        var pause = TimeSpan.FromMilliseconds(Math.Min(500, ceiling.TotalMilliseconds));
        while (!stoppingToken.IsCancellationRequested)
        {
            Exception? error = null;
            health.Started();
            try
            {
                await loop(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                error = e;
            }

            if (stoppingToken.IsCancellationRequested)
            {
                break;
            }

            health.Stopped(error ?? new InvalidOperationException("the loop returned before shutdown"));
            try
            {
                await Task.Delay(pause, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, ceiling.Ticks));
        }

        health.Stopped();
    }
}
