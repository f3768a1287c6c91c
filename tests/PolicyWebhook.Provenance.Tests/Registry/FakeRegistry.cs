using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using PolicyWebhook.Provenance.Registry;
using PolicyWebhook.Tests.Shared;

namespace PolicyWebhook.Provenance.Tests.Registry;

/// <summary>A registry made up for one test: a minimal Kestrel app on a free loopback port, recording every request.</summary>
internal sealed class FakeRegistry : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeRegistry(WebApplication app) => _app = app;

    /// <summary>Where it listens: <c>127.0.0.1:PORT</c>.</summary>
    public string Host { get; private set; } = string.Empty;

    /// <summary>Every request, in order: its path and query, and its Authorization header.</summary>
    public ConcurrentQueue<(string Path, string? Authorization)> Requests { get; } = new();

    public static async Task<FakeRegistry> StartAsync(Action<WebApplication> map)
    {
        FakeRegistry? fake = null;
        var (_, host) = await LoopbackApp.StartAsync(app =>
        {
            fake = new FakeRegistry(app);
            app.Use(async (context, next) =>
            {
                var authorization = context.Request.Headers.Authorization.ToString();
                fake.Requests.Enqueue((context.Request.Path + context.Request.QueryString, authorization.Length == 0 ? null : authorization));
                await next(context);
            });
            map(app);
        });
        fake!.Host = host;
        return fake;
    }

    /// <summary>The paths requested that start with <paramref name="prefix"/>, with their Authorization.</summary>
    public List<(string Path, string? Authorization)> RequestsTo(string prefix) =>
        [.. Requests.Where(r => r.Path.StartsWith(prefix, StringComparison.Ordinal))];

    /// <summary>A client that reaches this registry over plain HTTP, as the host would be configured for it.</summary>
    public RegistryClient Client(DockerConfigCredentials? credentials = null, TimeProvider? time = null, long maxManifestBytes = 4 * RegistryOptions.MiB) =>
        new(new HttpClient(RegistryClient.CreateHandler()), new RegistryOptions { InsecureRegistries = [Host], MaxManifestBytes = maxManifestBytes }, credentials, time);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>A handler that records each request and answers it itself, or passes it on to a real handler.</summary>
internal sealed class RecordingHandler : DelegatingHandler
{
    private readonly Func<HttpRequestMessage, HttpResponseMessage>? _answer;

    public RecordingHandler(HttpMessageHandler inner)
        : base(inner)
    {
    }

    public RecordingHandler(Func<HttpRequestMessage, HttpResponseMessage> answer) => _answer = answer;

    public ConcurrentQueue<Uri> Requests { get; } = new();

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests.Enqueue(request.RequestUri!);
        if (_answer is null)
        {
            return base.SendAsync(request, cancellationToken);
        }

        var response = _answer(request);
        response.RequestMessage = request;
        return Task.FromResult(response);
    }
}

/// <summary>A clock the test moves by hand, for token expiry.</summary>
internal sealed class ManualTime : TimeProvider
{
    public DateTimeOffset Now { get; set; } = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => Now;
}
