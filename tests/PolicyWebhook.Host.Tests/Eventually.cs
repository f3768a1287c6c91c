namespace PolicyWebhook.Host.Tests;

/// <summary>Waits for something a background loop does, up to ten seconds, and says what never happened.</summary>
internal static class Eventually
{
    public static async Task UntilAsync(Func<bool> condition, string what)
    {
        for (var i = 0; i < 400; i++)
        {
            if (condition())
            {
                return;
            }

            await Task.Delay(25, TestContext.Current.CancellationToken);
        }

        throw new TimeoutException(what);
    }
}
