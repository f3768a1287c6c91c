using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using PolicyWebhook.Tests.Shared;

namespace PolicyWebhook.Host.Tests.Images;

/// <summary>
/// A registry made up for one test: a minimal Kestrel app on a free loopback port that records every request and
/// answers as the test says. An answer may wait at the gate, which opens when the test says or the registry stops.
/// </summary>
internal sealed class FakeRegistry : IAsyncDisposable
{
    /// <summary>The image every fake serves, tagged, under <c>shop/app</c>.</summary>
    public const string Tag = "1.0";

    private static readonly byte[] Manifest = Encoding.UTF8.GetBytes(
        """{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}""");

    private readonly WebApplication _app;
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private FakeRegistry(WebApplication app) => _app = app;

    /// <summary>Where it listens, as images name a registry: <c>127.0.0.1:PORT</c>.</summary>
    public string Host { get; private set; } = string.Empty;

    /// <summary>The image it serves, as a pod names it.</summary>
    public string Image => $"{Host}/shop/app:{Tag}";

    /// <summary>The digest of that image's manifest.</summary>
    public static string Digest { get; } = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Manifest));

    /// <summary>Every request's path, in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Completes when a request first waits at the gate.</summary>
    public Task Reached => _reached.Task;

    /// <summary>Answers 500 to everything.</summary>
    public static Task<FakeRegistry> FailingAsync() => StartAsync((context, _) =>
    {
        context.Response.StatusCode = StatusCodes.Status500InternalServerError;
        return Task.CompletedTask;
    });

    /// <summary>Answers nothing until it stops.</summary>
    public static Task<FakeRegistry> HangingAsync() => StartAsync((context, fake) => fake.WaitAtGateAsync(context));

    /// <summary>Serves the image, with no signature; once the gate opens when <paramref name="slow"/>.</summary>
    public static Task<FakeRegistry> UnsignedAsync(bool slow = false) => StartAsync(async (context, fake) =>
    {
        if (slow)
        {
            await fake.WaitAtGateAsync(context);
        }

        if (context.Request.Path == $"/v2/shop/app/manifests/{Tag}" || context.Request.Path == $"/v2/shop/app/manifests/{Digest}")
        {
            context.Response.ContentType = "application/vnd.oci.image.manifest.v1+json";
            await context.Response.Body.WriteAsync(Manifest);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status404NotFound;
    });

    /// <summary>Lets every request waiting at the gate, and every later one, through.</summary>
    public void Open() => _gate.TrySetResult();

    /// <summary>The requests for a path that starts with <paramref name="prefix"/>.</summary>
    public int CountOf(string prefix) => Requests.Count(p => p.StartsWith(prefix, StringComparison.Ordinal));

    public async ValueTask DisposeAsync()
    {
        Open();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static async Task<FakeRegistry> StartAsync(Func<HttpContext, FakeRegistry, Task> answer)
    {
        FakeRegistry? fake = null;
        var (app, host) = await LoopbackApp.StartAsync(app =>
        {
            fake = new FakeRegistry(app);
            app.Run(context =>
            {
                fake.Requests.Enqueue(context.Request.Path.ToString());
                return answer(context, fake);
            });
        });
        fake!.Host = host;
        return fake;
    }

    private Task WaitAtGateAsync(HttpContext context)
    {
        _reached.TrySetResult();
        return _gate.Task.WaitAsync(context.RequestAborted);
    }
}
