namespace PolicyWebhook.Host.Hosting;

/// <summary>Runs a piece of work at a fixed interval until the host stops; what the work throws does not stop it.</summary>
public static class Periodic
{
    public static async Task RunAsync(TimeSpan interval, TimeProvider time, Action work, Action<Exception> failed, CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentNullException.ThrowIfNull(failed);
        using var timer = new PeriodicTimer(interval, time);
        while (await TickAsync(timer, stoppingToken).ConfigureAwait(false))
        {
            try
            {
                work();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failed(e);
            }
        }
    }

    private static async ValueTask<bool> TickAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
