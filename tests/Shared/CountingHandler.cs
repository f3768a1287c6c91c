namespace PolicyWebhook.Tests.Shared;

/// <summary>Counts the HTTP requests that go through it, to show how many a registry is sent (a count, never a time).</summary>
public sealed class CountingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private int _requests;

    /// <summary>Requests sent so far, redirects and token fetches included.</summary>
    public int Requests => Volatile.Read(ref _requests);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _requests);
        return base.SendAsync(request, cancellationToken);
    }
}
