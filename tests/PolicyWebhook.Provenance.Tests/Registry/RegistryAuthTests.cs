using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using PolicyWebhook.Provenance.Registry;

namespace PolicyWebhook.Provenance.Tests.Registry;

/// <summary>Bearer tokens, Basic credentials from a docker config, and where Authorization goes when a registry redirects.</summary>
public sealed class RegistryAuthTests
{
    private const string User = "robot";
    private const string Password = "s3cret-never-shown";
    private const string Manifest = """{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}""";

    private static readonly string Basic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GetManifestAsync_BearerChallenge_TokenAskedWithCredentialsAndScopeOnceThenCached()
    {
        await using var registry = await BearerRegistryAsync("""{"token":"t-1","expires_in":300}""");
        var client = registry.Client(Credentials(registry.Host));

        Assert.NotNull(await client.GetManifestAsync(registry.Host, "shop/app", "1.0", Ct));
        Assert.NotNull(await client.GetManifestAsync(registry.Host, "shop/app", "1.0", Ct));

        var token = Assert.Single(registry.RequestsTo("/token"));
        Assert.Equal(Basic, token.Authorization);
        Assert.Equal("/token?service=fake-registry&scope=repository%3Ashop%2Fapp%3Apull", token.Path);
        Assert.Equal([null, "Bearer t-1", "Bearer t-1"], registry.RequestsTo("/v2/").Select(r => r.Authorization));
    }

    [Fact]
    public async Task GetManifestAsync_TokenExpired_AsksForANewOne()
    {
        var time = new ManualTime();
        await using var registry = await BearerRegistryAsync("""{"access_token":"t-1","expires_in":60}""");
        var client = registry.Client(time: time);

        Assert.NotNull(await client.GetManifestAsync(registry.Host, "shop/app", "1.0", Ct));
        time.Now += TimeSpan.FromSeconds(120);
        Assert.NotNull(await client.GetManifestAsync(registry.Host, "shop/app", "1.0", Ct));

        var tokens = registry.RequestsTo("/token");
        Assert.Equal(2, tokens.Count);
        Assert.All(tokens, t => Assert.Null(t.Authorization)); // no credentials given: anonymous token requests
    }

    [Fact]
    public async Task GetManifestAsync_RegistryRefusesTheIssuedToken_ThrowsSayingSoWithoutTheToken()
    {
        await using var registry = await BearerRegistryAsync("""{"token":"t-2-not-accepted"}""");

        var error = await Assert.ThrowsAsync<RegistryUnavailableException>(
            () => registry.Client(Credentials(registry.Host)).GetManifestAsync(registry.Host, "shop/app", "1.0", Ct));

        Assert.Equal(
            $"registry {registry.Host} answered 401 Unauthorized for shop/app manifest 1.0 even with the token its token service issued to user {User}",
            error.Message);
        Assert.DoesNotContain("t-2", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Password, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetManifestAsync_BasicChallenge_SendsTheDockerConfigCredentialsThenUpFront()
    {
        await using var registry = await BasicRegistryAsync();
        var client = registry.Client(Credentials(registry.Host));

        Assert.NotNull(await client.GetManifestAsync(registry.Host, "shop/app", "1.0", Ct));
        Assert.NotNull(await client.GetManifestAsync(registry.Host, "shop/app", "1.0", Ct));

        Assert.Equal([null, Basic, Basic], registry.Requests.Select(r => r.Authorization));
    }

    [Fact]
    public async Task GetManifestAsync_CredentialsRefused_MessageNamesTheUserButNoSecret()
    {
        await using var registry = await BasicRegistryAsync();
        var wrong = Config(registry.Host, $$"""{"username":"{{User}}","password":"wrong-{{Password}}"}""");

        var error = await Assert.ThrowsAsync<RegistryUnavailableException>(
            () => registry.Client(wrong).GetManifestAsync(registry.Host, "shop/app", "1.0", Ct));

        Assert.Equal($"registry {registry.Host} refused the credentials of user {User} for shop/app manifest 1.0: 401 Unauthorized", error.Message);
        Assert.DoesNotContain(Password, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetManifestAsync_BasicChallengeWithoutCredentials_ThrowsSayingNoneWereGiven()
    {
        await using var registry = await BasicRegistryAsync();

        var error = await Assert.ThrowsAsync<RegistryUnavailableException>(() => registry.Client().GetManifestAsync(registry.Host, "shop/app", "1.0", Ct));

        Assert.Equal($"registry {registry.Host} needs credentials for shop/app manifest 1.0 and none were given for it", error.Message);
    }

    [Fact]
    public async Task GetBlobAsync_RedirectToAnotherHost_CarriesNoAuthorization()
    {
        var blob = "signature payload"u8.ToArray();
        var digest = Digests.Sha256(blob);
        await using var storage = await FakeRegistry.StartAsync(app => app.MapGet("/bucket/blob", () => Results.Bytes(blob)));
        await using var registry = await BasicRegistryAsync(app => app.MapGet($"/v2/shop/app/blobs/{digest}", (HttpContext context) =>
            context.Request.Headers.Authorization == Basic ? Results.Redirect($"http://{storage.Host}/bucket/blob?signature=abc", preserveMethod: true) : Challenge()));

        var bytes = await registry.Client(Credentials(registry.Host)).GetBlobAsync(registry.Host, "shop/app", digest, Ct);

        Assert.Equal(blob, bytes.ToArray());
        Assert.Equal([null, Basic], registry.Requests.Select(r => r.Authorization));
        Assert.Equal([("/bucket/blob?signature=abc", (string?)null)], storage.Requests);
    }

    [Fact]
    public async Task GetManifestAsync_RedirectFromHttpsToHttp_Refused()
    {
        var recording = new RecordingHandler(_ => new HttpResponseMessage(HttpStatusCode.Found)
        {
            Headers = { Location = new Uri("http://mirror.example.com/v2/shop/app/manifests/1.0?token=x") },
        });
        var client = new RegistryClient(new HttpClient(recording), new RegistryOptions());

        var error = await Assert.ThrowsAsync<RegistryUnavailableException>(() => client.GetManifestAsync("registry.example.com", "shop/app", "1.0", Ct));

        Assert.Equal(
            "registry registry.example.com redirected shop/app manifest 1.0 from https to http://mirror.example.com/v2/shop/app/manifests/1.0: refused, it would leave HTTPS",
            error.Message);
        Assert.Single(recording.Requests);
    }

    [Fact]
    public async Task GetManifestAsync_HttpsRegistryWithAPlainHttpTokenRealm_RefusedBeforeSendingCredentials()
    {
        var recording = new RecordingHandler(_ => new HttpResponseMessage(HttpStatusCode.Unauthorized)
        {
            Headers = { { "WWW-Authenticate", "Bearer realm=\"http://auth.example.com/token\",service=\"registry.example.com\"" } },
        });
        var client = new RegistryClient(new HttpClient(recording), new RegistryOptions(), Config("registry.example.com", $$"""{"username":"{{User}}","password":"{{Password}}"}"""));

        var error = await Assert.ThrowsAsync<RegistryUnavailableException>(() => client.GetManifestAsync("registry.example.com", "shop/app", "1.0", Ct));

        Assert.Equal(
            "registry registry.example.com sent a Bearer challenge for shop/app manifest 1.0 whose realm is not an HTTPS URL: http://auth.example.com/token",
            error.Message);
        Assert.Equal(["registry.example.com"], recording.Requests.Select(u => u.Host));
    }

    [Fact]
    public async Task GetManifestAsync_RedirectedInACircle_StopsAfterThreeRedirects()
    {
        var recording = new RecordingHandler(request => new HttpResponseMessage(HttpStatusCode.TemporaryRedirect) { Headers = { Location = request.RequestUri } });
        var client = new RegistryClient(new HttpClient(recording), new RegistryOptions());

        var error = await Assert.ThrowsAsync<RegistryUnavailableException>(() => client.GetManifestAsync("registry.example.com", "shop/app", "1.0", Ct));

        Assert.Equal("registry registry.example.com redirected shop/app manifest 1.0 more than 3 times", error.Message);
        Assert.Equal(4, recording.Requests.Count);
    }

    private static DockerConfigCredentials Credentials(string host) => Config("http://" + host, $$"""{"auth":"{{Basic["Basic ".Length..]}}"}""");

    private static DockerConfigCredentials Config(string key, string entry) => DockerConfigCredentials.Parse($$"""{"auths":{"{{key}}":""" + entry + "}}");

    private static ChallengeResult Challenge() => new ChallengeResult("Basic realm=\"fake-registry\"");

    /// <summary>A registry that wants Basic credentials for shop/app:1.0.</summary>
    private static Task<FakeRegistry> BasicRegistryAsync(Action<WebApplication>? more = null) => FakeRegistry.StartAsync(app =>
    {
        app.MapGet("/v2/shop/app/manifests/1.0", (HttpContext context) =>
            context.Request.Headers.Authorization == Basic ? Results.Text(Manifest, RegistryClient.OciManifest) : Challenge());
        more?.Invoke(app);
    });

    /// <summary>A registry that wants a Bearer token from its /token endpoint, which answers <paramref name="tokenJson"/> (Basic credentials optional).</summary>
    private static Task<FakeRegistry> BearerRegistryAsync(string tokenJson) => FakeRegistry.StartAsync(app =>
    {
        app.MapGet("/v2/shop/app/manifests/1.0", (HttpContext context) => context.Request.Headers.Authorization == "Bearer t-1"
            ? Results.Text(Manifest, RegistryClient.OciManifest)
            : new ChallengeResult($"Bearer realm=\"http://{context.Request.Host}/token\",service=\"fake-registry\",scope=\"repository:shop/app:pull\""));
        app.MapGet("/token", (HttpContext context) =>
            context.Request.Headers.Authorization is { Count: 0 } || context.Request.Headers.Authorization == Basic
                ? Results.Text(tokenJson, "application/json")
                : Results.StatusCode(401));
    });

    /// <summary>401 with a WWW-Authenticate challenge.</summary>
    private sealed class ChallengeResult(string challenge) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = 401;
            httpContext.Response.Headers.WWWAuthenticate = challenge;
            return Task.CompletedTask;
        }
    }
}
