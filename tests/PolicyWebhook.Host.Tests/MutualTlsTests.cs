using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
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

/// <summary>
/// Mutual TLS over real Kestrel: with Tls:ClientCaFile set, only a client certificate of that CA gets a review
/// answered; health and metrics stay open on the management port, and each refusal is counted.
/// </summary>
[Collection(MetricsCollection.Name)]
public sealed class MutualTlsTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("policywebhook-mtls").FullName;
    private readonly int _managementPort = KestrelWebhook.FreePort();
    private X509Certificate2 _serverCa = null!;
    private (X509Certificate2 Certificate, ECDsa Key) _apiServerCa;
    private WebApplication _app = null!;
    private Uri _address = null!;


    private static (X509Certificate2 Certificate, ECDsa Key) NewCa(string name)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        return (request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1)), key);
    }

    /// <summary>A client certificate as the API server's kubeconfig for webhooks carries one.</summary>
    private static X509Certificate2 Client((X509Certificate2 Certificate, ECDsa Key) ca, string usage = "1.3.6.1.5.5.7.3.2")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=kube-apiserver-webhook-client", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        // The CA's certificate came from CreateSelfSigned, and carries its key.
        using var leaf = request.Create(ca.Certificate, DateTimeOffset.UtcNow.AddMinutes(-5), ca.Certificate.NotAfter.AddMinutes(-1), RandomNumberGenerator.GetBytes(8));
        // Through PKCS#12, so the handshake can use the key on every platform.
        return X509CertificateLoader.LoadPkcs12(leaf.CopyWithPrivateKey(key).Export(X509ContentType.Pkcs12), null);
    }

    public async ValueTask InitializeAsync()
    {
        _serverCa = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(DevCertificates.Create(_folder), TestContext.Current.CancellationToken));
        _apiServerCa = NewCa("kube-apiserver client CA");
        await File.WriteAllTextAsync(Path.Combine(_folder, "client-ca.crt"), _apiServerCa.Certificate.ExportCertificatePem(), TestContext.Current.CancellationToken);
        (_app, _address) = await KestrelWebhook.StartAsync(_folder, _managementPort, new Dictionary<string, string?> { ["Tls:ClientCaFile"] = Path.Combine(_folder, "client-ca.crt") });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(TestContext.Current.CancellationToken);
        await _app.DisposeAsync();
        _serverCa.Dispose();
        _apiServerCa.Certificate.Dispose();
        _apiServerCa.Key.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private async Task<HttpStatusCode?> ReviewAsync(X509Certificate2? clientCertificate)
    {
        using var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = clientCertificate is null ? null : new X509CertificateCollection { clientCertificate },
                RemoteCertificateValidationCallback = (_, certificate, _, _) => KestrelWebhook.ChainsTo(certificate, _serverCa),
            },
        };
        using var client = new HttpClient(handler) { BaseAddress = _address };
        using var content = new StringContent(Reviews.Of(Reviews.CompliantPod()), Encoding.UTF8, "application/json");
        try
        {
            using var response = await client.PostAsync(new Uri("/validate?timeout=5s", UriKind.Relative), content, TestContext.Current.CancellationToken);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null; // The handshake was refused: no answer at all.
        }
    }

    private async Task<string> MetricsAsync()
    {
        using var http = new HttpClient();
        return await http.GetStringAsync(new Uri($"http://127.0.0.1:{_managementPort}/metrics"), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Review_WithTheApiServersClientCertificate_IsAnswered()
    {
        using var certificate = Client(_apiServerCa);

        Assert.Equal(HttpStatusCode.OK, await ReviewAsync(certificate));
    }

    [Fact]
    public async Task Review_WithoutACertificate_OrFromAnotherCa_OrNotForClients_GetsNoAnswer_AndIsCounted()
    {
        var other = NewCa("someone else");
        using var stranger = Client(other);
        using var serverOnly = Client(_apiServerCa, usage: "1.3.6.1.5.5.7.3.1");

        Assert.Null(await ReviewAsync(null));
        Assert.Null(await ReviewAsync(stranger));
        Assert.Null(await ReviewAsync(serverOnly));

        var metrics = await MetricsAsync();
        foreach (var reason in new[] { "none", "untrusted", "not_for_clients" })
        {
            Assert.Matches($$"""policywebhook_tls_client_rejected_total\{[^}]*reason="{{reason}}"[^}]*\} [1-9]""", metrics);
        }

        other.Certificate.Dispose();
        other.Key.Dispose();
    }

    [Fact]
    public async Task Health_StaysOpenOnTheManagementPort()
    {
        using var http = new HttpClient();

        using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{_managementPort}/healthz"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ClientCa_Rotated_IsTakenWithoutARestart()
    {
        var next = NewCa("kube-apiserver client CA 2");
        using var fromNext = Client(next);
        Assert.Null(await ReviewAsync(fromNext));

        await File.WriteAllTextAsync(Path.Combine(_folder, "client-ca.crt"), _apiServerCa.Certificate.ExportCertificatePem() + "\n" + next.Certificate.ExportCertificatePem(), TestContext.Current.CancellationToken);
        _app.Services.GetRequiredService<ClientCertificateValidator>().Reload(); // Or the reload loop was there first.

        Assert.Equal(HttpStatusCode.OK, await ReviewAsync(fromNext));
        next.Certificate.Dispose();
        next.Key.Dispose();
    }
}
