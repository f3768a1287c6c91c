using System.Collections.Concurrent;

namespace PolicyWebhook.Tests.Shared;

/// <summary>Counts the HTTP requests that go through it, to show how many a registry is sent (a count, never a time).</summary>
public sealed class CountingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private readonly ConcurrentQueue<string> _sent = new();

    /// <summary>Requests sent so far, redirects and token fetches included.</summary>
    public int Requests => _sent.Count;

    /// <summary>Each request's method and path, in the order they were sent.</summary>
    public IReadOnlyCollection<string> Sent => _sent;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        _sent.Enqueue($"{request.Method} {request.RequestUri?.AbsolutePath}");
        return base.SendAsync(request, cancellationToken);
    }
}
