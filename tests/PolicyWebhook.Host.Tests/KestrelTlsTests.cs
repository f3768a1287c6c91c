using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PolicyWebhook.Host.Tls;
using PolicyWebhook.Tests.Shared;

namespace PolicyWebhook.Host.Tests;

/// <summary>The webhook over real Kestrel: TLS with the generated CA, HTTP/2 as the API server speaks it, and a certificate rotation.</summary>
public sealed class KestrelTlsTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "policywebhook-tests", Guid.NewGuid().ToString("N"));
    private WebApplication _app = null!;
    private Uri _address = null!;
    private readonly List<X509Certificate2> _trusted = [];
    private readonly int _managementPort = KestrelWebhook.FreePort();


    public async ValueTask InitializeAsync()
    {
        _trusted.Add(X509Certificate2.CreateFromPem(File.ReadAllText(DevCertificates.Create(_folder))));
        (_app, _address) = await KestrelWebhook.StartAsync(_folder, _managementPort);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(TestContext.Current.CancellationToken);
        await _app.DisposeAsync();
        foreach (var certificate in _trusted)
        {
            certificate.Dispose();
        }
    }

    private HttpClient Client(List<string>? seen = null, SslProtocols protocols = SslProtocols.None)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                EnabledSslProtocols = protocols,
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    var leaf = (X509Certificate2)certificate!;
                    seen?.Add(leaf.Thumbprint);
                    return KestrelWebhook.ChainsTo(leaf, [.. _trusted]) && leaf.MatchesHostname("127.0.0.1");
                },
            },
        };
        return new HttpClient(handler) { BaseAddress = _address, DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string review)
    {
        using var content = new StringContent(review, Encoding.UTF8, "application/json");
        return await client.PostAsync(new Uri("/validate?timeout=5s", UriKind.Relative), content, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Validate_OverTlsAndHttp2_TrustingTheGeneratedCa()
    {
        using var client = Client();

        using var response = await PostAsync(client, Reviews.Sample("pod-privileged-hostnetwork-create.json"));

        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"allowed\":false", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SslProtocols.Tls12)]
    [InlineData(SslProtocols.Tls13)]
    public async Task Validate_Tls12AndTls13_AreBothServed(SslProtocols protocol)
    {
        using var client = Client(protocols: protocol);

        using var response = await PostAsync(client, Reviews.Of(Reviews.CompliantPod()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Validate_Http11_IsServedToo()
    {
        using var client = Client();
        client.DefaultRequestVersion = HttpVersion.Version11;

        using var response = await PostAsync(client, Reviews.Of(Reviews.CompliantPod()));

        Assert.Equal(HttpVersion.Version11, response.Version);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Rotation_NewConnectionsGetTheNewCertificate_OpenOnesKeepWorking()
    {
        var seenBefore = new List<string>();
        using var before = Client(seenBefore);
        using (var first = await PostAsync(before, Reviews.Of(Reviews.CompliantPod())))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        _trusted.Add(X509Certificate2.CreateFromPem(File.ReadAllText(DevCertificates.Create(_folder))));
        Assert.True(_app.Services.GetRequiredService<CertificateReloader>().Reload());

        var seenAfter = new List<string>();
        using var after = Client(seenAfter);
        using var fresh = await PostAsync(after, Reviews.Of(Reviews.CompliantPod()));
        using var reused = await PostAsync(before, Reviews.Of(Reviews.CompliantPod()));

        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.Equal(HttpStatusCode.OK, reused.StatusCode);
        Assert.NotEqual(Assert.Single(seenBefore), Assert.Single(seenAfter));
    }

    [Fact]
    public async Task Rotation_HalfWrittenPair_KeepsServingTheCurrentCertificate()
    {
        var reloader = _app.Services.GetRequiredService<CertificateReloader>();
        var current = reloader.Certificate.Thumbprint;
        var otherFolder = Path.Combine(_folder, "other");
        DevCertificates.Create(otherFolder);
        File.Copy(Path.Combine(otherFolder, "tls.crt"), Path.Combine(_folder, "tls.crt"), overwrite: true);

        Assert.False(reloader.Reload());

        Assert.Equal(current, reloader.Certificate.Thumbprint);
        using var client = Client();
        using var response = await PostAsync(client, Reviews.Of(Reviews.CompliantPod()));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ManagementPort_ServesOnlyMetricsAndHealth_AndTheHttpsPortOnlyAdmission()
    {
        using var plain = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_managementPort}") };
        using var secure = Client();
        secure.DefaultRequestVersion = HttpVersion.Version11;
        var token = TestContext.Current.CancellationToken;

        using var metrics = await plain.GetAsync(new Uri("/metrics", UriKind.Relative), token);
        using var ready = await plain.GetAsync(new Uri("/readyz", UriKind.Relative), token);
        using var content = new StringContent(Reviews.Of(Reviews.CompliantPod()), Encoding.UTF8, "application/json");
        using var validateOnPlain = await plain.PostAsync(new Uri("/validate", UriKind.Relative), content, token);
        using var metricsOnSecure = await secure.GetAsync(new Uri("/metrics", UriKind.Relative), token);

        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, validateOnPlain.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, metricsOnSecure.StatusCode);
    }
}
