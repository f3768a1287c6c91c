using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using PolicyWebhook.Provenance.Registry;

namespace PolicyWebhook.Provenance.Tests.Registry;

/// <summary>The client against registries made up in the test: failures, deadlines, caps, digests, the referrers API, the scheme.</summary>
public sealed class RegistryClientTests
{
    private const string Manifest = """{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}""";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GetManifestAsync_RegistryAnswers500_ThrowsNamingRegistryStatusAndManifest()
    {
        await using var registry = await FakeRegistry.StartAsync(app => app.MapGet("/v2/shop/app/manifests/1.0", () => Results.StatusCode(500)));

        var error = await Assert.ThrowsAsync<RegistryUnavailableException>(() => registry.Client().GetManifestAsync(registry.Host, "shop/app", "1.0", Ct));

        Assert.Equal($"registry {registry.Host} answered 500 Internal Server Error for shop/app manifest 1.0", error.Message);
    }

    [Fact]
    public async Task GetManifestAsync_NothingListening_ThrowsSayingItCouldNotBeReached()
    {
        var host = FreeHost();
        var client = new RegistryClient(new HttpClient(RegistryClient.CreateHandler()), new RegistryOptions { InsecureRegistries = [host] });

        var error = await Assert.ThrowsAsync<RegistryUnavailableException>(() => client.GetManifestAsync(host, "shop/app", "1.0", Ct));

        Assert.Equal($"registry {host} could not be reached for shop/app manifest 1.0: connection refused", error.Message);
    }

    [Theory]
    [InlineData(false)] // no answer at all
    [InlineData(true)] // headers and half a body, then nothing
    public async Task GetManifestAsync_RegistryHangs_CallerTokenEndsTheCall(bool halfBody)
    {
        await using var registry = await FakeRegistry.StartAsync(app => app.MapGet("/v2/shop/app/manifests/1.0", async (HttpContext context) =>
        {
            if (halfBody)
            {
                context.Response.ContentLength = 1000;
                await context.Response.WriteAsync("{\"schemaVersion\":", context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }

            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromMilliseconds(300));

        var call = registry.Client().GetManifestAsync(registry.Host, "shop/app", "1.0", deadline.Token);

        // The generous bound only keeps a broken client from hanging the run; it is not a timing assertion.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(TimeSpan.FromSeconds(30), Ct));
        Assert.True(deadline.IsCancellationRequested);
    }

    [Theory]
    [InlineData(true)] // Content-Length says so up front
    [InlineData(false)] // chunked: found while reading
    public async Task GetManifestAsync_ManifestOverTheCap_Refused(bool declaresLength)
    {
        var body = new byte[2048];
        await using var registry = await FakeRegistry.StartAsync(app => app.MapGet("/v2/shop/app/manifests/1.0", async (HttpContext context) =>
        {
            context.Response.ContentType = RegistryClient.OciManifest;
            if (declaresLength)
            {
                context.Response.ContentLength = body.Length;
            }

            await context.Response.Body.WriteAsync(body.AsMemory(0, 1024), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await context.Response.Body.WriteAsync(body.AsMemory(1024), context.RequestAborted);
        }));

        var error = await Assert.ThrowsAsync<RegistryContentException>(
            () => registry.Client(maxManifestBytes: 1024).GetManifestAsync(registry.Host, "shop/app", "1.0", Ct));

        Assert.Equal($"manifest of {registry.Host}/shop/app:1.0 is over the 1 KiB cap", error.Message);
    }

    [Fact]
    public async Task GetManifestAsync_ByDigestOtherBytesServed_RefusedAsOtherContent()
    {
        var asked = Digests.Sha256(Encoding.UTF8.GetBytes(Manifest));
        var served = Manifest.Replace("2", "3", StringComparison.Ordinal);
        await using var registry = await FakeRegistry.StartAsync(app =>
            app.MapGet($"/v2/shop/app/manifests/{asked}", () => Results.Text(served, RegistryClient.OciManifest)));

        var error = await Assert.ThrowsAsync<RegistryContentException>(() => registry.Client().GetManifestAsync(registry.Host, "shop/app", asked, Ct));

        Assert.Equal(
            $"registry {registry.Host} served other content for shop/app manifest {asked}: the bytes it sent have digest {Digests.Sha256(Encoding.UTF8.GetBytes(served))}",
            error.Message);
    }

    [Fact]
    public async Task GetBlobAsync_OtherBytesServed_RefusedAsOtherContent()
    {
        var asked = Digests.Sha256("payload"u8);
        await using var registry = await FakeRegistry.StartAsync(app => app.MapGet($"/v2/shop/app/blobs/{asked}", () => Results.Bytes("tampered"u8.ToArray())));

        var error = await Assert.ThrowsAsync<RegistryContentException>(() => registry.Client().GetBlobAsync(registry.Host, "shop/app", asked, Ct));

        Assert.StartsWith($"registry {registry.Host} served other content for shop/app blob {asked}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetManifestAsync_ByTag_ReturnsTheDigestOfTheBytesAndTheirMediaType()
    {
        await using var registry = await FakeRegistry.StartAsync(app =>
            app.MapGet("/v2/shop/app/manifests/1.0", () => Results.Text(Manifest, "application/json")));

        var manifest = await registry.Client().GetManifestAsync(registry.Host, "shop/app", "1.0", Ct);

        Assert.NotNull(manifest);
        Assert.Equal(Digests.Sha256(Encoding.UTF8.GetBytes(Manifest)), manifest.Digest);
        Assert.Equal(RegistryClient.OciManifest, manifest.MediaType); // from the JSON, the Content-Type being generic
        Assert.Equal(Manifest, Encoding.UTF8.GetString(manifest.Bytes.Span));
    }

    [Fact]
    public async Task GetReferrersAsync_RegistryWithReferrersApi_UsesItAndNotTheTag()
    {
        var subject = Digests.Sha256("image"u8);
        var index = $$"""{"schemaVersion":2,"mediaType":"{{RegistryClient.OciIndex}}","manifests":[{"mediaType":"{{RegistryClient.OciManifest}}","digest":"{{Digests.Sha256("sig"u8)}}","size":3}]}""";
        await using var registry = await FakeRegistry.StartAsync(app =>
            app.MapGet($"/v2/shop/app/referrers/{subject}", () => Results.Text(index, RegistryClient.OciIndex)));

        var referrers = await registry.Client().GetReferrersAsync(registry.Host, "shop/app", subject, Ct);

        Assert.NotNull(referrers);
        Assert.Equal(index, Encoding.UTF8.GetString(referrers.Bytes.Span));
        Assert.Equal([$"/v2/shop/app/referrers/{subject}"], registry.Requests.Select(r => r.Path));
    }

    [Fact]
    public async Task GetReferrersAsync_ReferrersApiListsNothing_ReturnsNull()
    {
        var subject = Digests.Sha256("image"u8);
        await using var registry = await FakeRegistry.StartAsync(app => app.MapGet($"/v2/shop/app/referrers/{subject}",
            () => Results.Text($$"""{"schemaVersion":2,"mediaType":"{{RegistryClient.OciIndex}}","manifests":[]}""", RegistryClient.OciIndex)));

        Assert.Null(await registry.Client().GetReferrersAsync(registry.Host, "shop/app", subject, Ct));
        Assert.Single(registry.Requests);
    }

    [Fact]
    public async Task GetReferrersAsync_Sha512DigestWithoutReferrersApi_FallsBackToTheTagCutTo64HexDigits()
    {
        var digest = "sha512:" + new string('a', 128);
        var recording = new RecordingHandler(_ => new HttpResponseMessage(HttpStatusCode.NotFound));
        var client = new RegistryClient(new HttpClient(recording), new RegistryOptions());

        Assert.Null(await client.GetReferrersAsync("registry.example.com", "shop/app", digest, Ct));
        Assert.Equal([$"/v2/shop/app/referrers/{digest}", $"/v2/shop/app/manifests/sha512-{new string('a', 64)}"], recording.Requests.Select(u => u.AbsolutePath));
    }

    [Theory]
    [InlineData("registry.example.com", "shop/app", "https://registry.example.com/v2/shop/app/manifests/1.0")]
    [InlineData("registry.example.com:5000", "shop/app", "https://registry.example.com:5000/v2/shop/app/manifests/1.0")]
    [InlineData("docker.io", "nginx", "https://registry-1.docker.io/v2/library/nginx/manifests/1.0")]
    [InlineData("index.docker.io", "bitnami/nginx", "https://registry-1.docker.io/v2/bitnami/nginx/manifests/1.0")]
    public async Task GetManifestAsync_RegistryNotListedInsecure_ReachedOverHttps(string host, string repository, string expected)
    {
        var recording = new RecordingHandler(_ => new HttpResponseMessage(HttpStatusCode.NotFound));
        var client = new RegistryClient(new HttpClient(recording), new RegistryOptions { InsecureRegistries = ["other.example.com:5000"] });

        Assert.Null(await client.GetManifestAsync(host, repository, "1.0", Ct));
        Assert.Equal([new Uri(expected)], recording.Requests);
    }

    [Theory]
    [InlineData("../../etc", "1.0")]
    [InlineData("shop/app", "1.0/../../x")]
    [InlineData("shop/app", "sha256:abc")]
    public async Task GetManifestAsync_NameThatIsNotOci_ThrowsBeforeAnyRequest(string repository, string reference)
    {
        var recording = new RecordingHandler(_ => new HttpResponseMessage(HttpStatusCode.NotFound));
        var client = new RegistryClient(new HttpClient(recording), new RegistryOptions());

        await Assert.ThrowsAsync<ArgumentException>(() => client.GetManifestAsync("registry.example.com", repository, reference, Ct));
        Assert.Empty(recording.Requests);
    }

    private static string FreeHost()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return $"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
    }
}
