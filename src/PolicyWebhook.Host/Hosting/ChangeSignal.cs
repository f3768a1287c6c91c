namespace PolicyWebhook.Host.Hosting;

/// <summary>
/// Wakes a background loop when something changed, with at most one wake-up pending: a burst of changes makes one
/// more pass, not one per change. Signalling after the loop has stopped does nothing.
/// </summary>
public sealed class ChangeSignal : IDisposable
{
    private readonly SemaphoreSlim _pending = new(0, 1);

    public void Signal()
    {
        try
        {
            _pending.Release();
        }
        catch (SemaphoreFullException)
        {
            // A pass is already due; it will see this change too.
        }
        catch (ObjectDisposedException)
        {
            // Stopping.
        }
    }

    /// <summary>True when signalled within <paramref name="timeout"/>, false when it passed first.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _pending.WaitAsync(timeout, cancellationToken);

    /// <summary>As the overload above, with the timeout on <paramref name="time"/>: a pause due on the loop's own clock.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        using var expired = new CancellationTokenSource(timeout, time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, expired.Token);
        try
        {
            await _pending.WaitAsync(either.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    public void Dispose() => _pending.Dispose();
}
