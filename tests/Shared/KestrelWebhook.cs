using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PolicyWebhook.Host;

namespace PolicyWebhook.Tests.Shared;

/// <summary>The webhook on real Kestrel on loopback, serving the tls.crt and tls.key of a folder: its app and its HTTPS address.</summary>
internal static class KestrelWebhook
{
    /// <summary>A loopback port free right now, for a server that must know its port before it starts.</summary>
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>True when the server's certificate chains to one of <paramref name="trusted"/> alone, as the API server trusts only the webhook's caBundle.</summary>
    public static bool ChainsTo(System.Security.Cryptography.X509Certificates.X509Certificate? certificate, params System.Security.Cryptography.X509Certificates.X509Certificate2[] trusted)
    {
        using var chain = new System.Security.Cryptography.X509Certificates.X509Chain();
        chain.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trusted);
        chain.ChainPolicy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
        return certificate is System.Security.Cryptography.X509Certificates.X509Certificate2 leaf && chain.Build(leaf);
    }

    public static async Task<(WebApplication App, Uri Address)> StartAsync(string certificateFolder, int managementPort, IDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Server:Address"] = "127.0.0.1",
            ["Server:Port"] = "0",
            ["Server:ManagementPort"] = managementPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Tls:CertificateFile"] = Path.Combine(certificateFolder, "tls.crt"),
            ["Tls:KeyFile"] = Path.Combine(certificateFolder, "tls.key"),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(all);
        builder.AddWebhookServices();
        var app = builder.Build();
        app.MapWebhookEndpoints();
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single(a => a.StartsWith("https", StringComparison.Ordinal));
        return (app, new Uri(address));
    }
}
