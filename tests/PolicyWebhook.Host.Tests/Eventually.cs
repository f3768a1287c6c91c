namespace PolicyWebhook.Host.Tests;

/// <summary>
/// Waits for something a background loop does, and says what never happened. The ceiling is a minute: a busy
/// machine may take long to schedule the loop, and a test that passes returns as soon as the condition holds.
/// </summary>
internal static class Eventually
{
    private static readonly TimeSpan Ceiling = TimeSpan.FromMinutes(1);

    public static Task UntilAsync(Func<bool> condition, string what) => UntilAsync(() => Task.FromResult(condition()), what);

    /// <summary>As the other, for a condition that asks the server (readiness, an admission).</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            if (waited.Elapsed > Ceiling)
            {
                throw new TimeoutException(what);
            }

            await Task.Delay(25, TestContext.Current.CancellationToken);
        }
    }
}
