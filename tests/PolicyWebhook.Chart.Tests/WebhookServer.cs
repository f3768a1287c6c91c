using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PolicyWebhook.Host;
using PolicyWebhook.Tests.Shared;

namespace PolicyWebhook.Chart.Tests;

/// <summary>
/// The real webhook server on Kestrel, on free loopback ports, serving the tls.crt and tls.key of a folder: what the
/// chart's pods run, so tests can hold the chart's commands, alerts and dashboard against it.
/// </summary>
internal sealed partial class WebhookServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WebhookServer(WebApplication app, int port, int managementPort)
    {
        _app = app;
        Port = port;
        ManagementPort = managementPort;
    }

    /// <summary>The HTTPS port of the admission endpoints.</summary>
    public int Port { get; }

    /// <summary>The plain-HTTP port of /metrics and the health endpoints.</summary>
    public int ManagementPort { get; }

    /// <summary>Starts the server with the certificate in <paramref name="certificateFolder"/>; <paramref name="settings"/> add to or replace the defaults.</summary>
    public static async Task<WebhookServer> StartAsync(string certificateFolder, IDictionary<string, string?>? settings = null)
    {
        var managementPort = KestrelWebhook.FreePort();
        var all = new Dictionary<string, string?>
        {
            ["Policies:Source"] = "Files",
            ["Admission:OwnNamespace"] = Helm.Namespace,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var (app, address) = await KestrelWebhook.StartAsync(certificateFolder, managementPort, all);
        return new WebhookServer(app, address.Port, managementPort);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(TestContext.Current.CancellationToken);
        await _app.DisposeAsync();
    }

    /// <summary>What Prometheus scrapes from the server.</summary>
    public async Task<string> MetricsAsync()
    {
        using var client = new HttpClient();
        return await client.GetStringAsync(new Uri($"http://127.0.0.1:{ManagementPort}/metrics"), TestContext.Current.CancellationToken);
    }

    /// <summary>Posts an AdmissionReview to <c>/validate</c> (or <paramref name="path"/>) as the API server does, trusting only <paramref name="caFile"/>; the answer.</summary>
    public async Task<string> ValidateAsync(string review, string caFile, string path = "/validate")
    {
        using var ca = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(caFile, TestContext.Current.CancellationToken));
        using var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) => KestrelWebhook.ChainsTo(certificate, ca),
            },
        };
        using var client = new HttpClient(handler);
        using var content = new StringContent(review, Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(new Uri($"https://127.0.0.1:{Port}{path}?timeout=5s"), content, TestContext.Current.CancellationToken);
        var answer = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, answer);
        return answer;
    }

    /// <summary>The server's metric names a PromQL expression reads.</summary>
    public static IEnumerable<string> MetricNames(string expression) => MetricName().Matches(expression).Select(m => m.Value);

    /// <summary>Those of <paramref name="names"/> that <paramref name="metrics"/> (a scrape) holds no sample of.</summary>
    public static IEnumerable<string> NotExported(IEnumerable<string> names, string metrics) =>
        names.Where(name => !("\n" + metrics).Contains("\n" + name + "{", StringComparison.Ordinal));


    [GeneratedRegex("policywebhook_[a-z_]+")]
    private static partial Regex MetricName();
}
