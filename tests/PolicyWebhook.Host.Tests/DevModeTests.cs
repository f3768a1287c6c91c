using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using PolicyWebhook.Host.Server;
using PolicyWebhook.Tests.Shared;

namespace PolicyWebhook.Host.Tests;

/// <summary><c>--dev</c>: the addresses it prints are the ones served, and the container example reaches it.</summary>
public sealed class DevModeTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "policywebhook-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public void Banner_Defaults_NameTheLoopbackAndBothPorts()
    {
        var lines = DevMode.Banner(new ServerOptions { Address = "127.0.0.1" }, "/tmp/dev/ca.crt", inContainer: false);

        Assert.Equal(
            "PolicyWebhook --dev: listening on 127.0.0.1, ports 8443 (HTTPS) and 8080 (metrics and health, plain HTTP); serving https://127.0.0.1:8443.",
            lines[0]);
        Assert.Contains("curl --cacert /tmp/dev/ca.crt https://127.0.0.1:8443/validate", lines[2], StringComparison.Ordinal);
        Assert.Equal(3, lines.Count);
    }

    [Fact]
    public void Banner_EveryInterfaceInAContainer_GivesALoopbackUrlTheCertificateNamesAndHowToGetTheCa()
    {
        var lines = DevMode.Banner(new ServerOptions { Address = "0.0.0.0", Port = 9443, ManagementPort = 0 }, "/tmp/dev/ca.crt", inContainer: true);

        Assert.Equal("PolicyWebhook --dev: listening on every interface, port 9443 (HTTPS, with metrics and health); serving https://127.0.0.1:9443.", lines[0]);
        Assert.Contains("docker cp <container>:/tmp/dev/ca.crt", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void Banner_LoopbackInAContainer_SaysToBindEveryInterface()
    {
        var lines = DevMode.Banner(new ServerOptions { Address = "127.0.0.1" }, "/tmp/dev/ca.crt", inContainer: true);

        Assert.Contains("add --Server:Address=0.0.0.0", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dev_ServerAddressOnTheCommandLine_ListensOnEveryInterfaceAndIsReachedThroughTheLoopback()
    {
        // What `docker run -p 8443:8443 policy-webhook --dev --Server:Address=0.0.0.0` does, on free ports.
        var rest = DevMode.Apply(["--dev", "--Server:Address=0.0.0.0", "--Server:Port=0", "--Server:ManagementPort=0"], out var settings, _folder);
        Assert.DoesNotContain("--dev", rest);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = rest, EnvironmentName = "Testing" });
        builder.UseDevSettings(settings, rest);
        builder.AddWebhookServices();
        Assert.Equal("0.0.0.0", builder.Configuration["Server:Address"]);

        await using var app = builder.Build();
        app.MapWebhookEndpoints();
        await app.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            var address = new Uri(Assert.Single(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses));
            Assert.Equal("0.0.0.0", address.Host);

            // Only the dev CA is trusted, and the name checked is the one the client dials.
            using var ca = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Path.Combine(_folder, "ca.crt"), TestContext.Current.CancellationToken));
            using var handler = new SocketsHttpHandler
            {
                SslOptions = new SslClientAuthenticationOptions
                {
                    RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                        KestrelWebhook.ChainsTo(certificate, ca) && ((X509Certificate2)certificate!).MatchesHostname("127.0.0.1"),
                },
            };
            using var client = new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{address.Port}") };
            using var content = new StringContent(Reviews.Of(Reviews.CompliantPod()), Encoding.UTF8, "application/json");
            using var response = await client.PostAsync(new Uri("/validate", UriKind.Relative), content, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var health = await client.GetAsync(new Uri("/healthz", UriKind.Relative), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }
        finally
        {
            await app.StopAsync(TestContext.Current.CancellationToken);
        }
    }
}
