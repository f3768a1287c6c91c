using System.Text.Json.Nodes;
using PolicyWebhook.Cli;

namespace PolicyWebhook.Chart.Tests;

/// <summary>
/// The chart's <c>helm test</c> command against the real server serving the certificate the chart generated: the
/// whole path the API server takes, from the caBundle to the answer, but for the cluster.
/// </summary>
public sealed class SelftestTests : IAsyncLifetime
{
    private const string ServiceUrl = $"https://{Helm.Release}-policy-webhook.{Helm.Namespace}.svc:443";
    private readonly string _folder = Directory.CreateTempSubdirectory("policywebhook-selftest").FullName;
    private Rendered _rendered = null!;
    private WebhookServer _server = null!;

    public async ValueTask InitializeAsync()
    {
        _rendered = Helm.Template(["certs-chart-values.yaml", "operations-values.yaml"]);
        var data = _rendered.Single("Secret")["data"]!;
        foreach (var file in new[] { "ca.crt", "tls.crt", "tls.key" })
        {
            await File.WriteAllBytesAsync(Path.Combine(_folder, file), Convert.FromBase64String((string)data[file]!), TestContext.Current.CancellationToken);
        }

        // A trusted root whose current Fulcio CA window ends in 20 days, as a root about to be rotated does: the
        // gauge the Sigstore trust alert reads has a value only while some trusted window has an end.
        var root = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Helm.Root, "tests", "Shared", "sigstore-conformance", "trusted_root.production.json"), TestContext.Current.CancellationToken))!;
        root["certificateAuthorities"]![1]!["validFor"]!["end"] = DateTimeOffset.UtcNow.AddDays(20).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        var roots = Directory.CreateDirectory(Path.Combine(_folder, "trusted-roots")).FullName;
        await File.WriteAllTextAsync(Path.Combine(roots, "rotating.json"), root.ToJsonString(), TestContext.Current.CancellationToken);
        _server = await WebhookServer.StartAsync(_folder, new Dictionary<string, string?> { ["ImageVerification:TrustedRootsDirectory"] = roots });
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private (int Code, string Output, string Error) Selftest(string url, string caFile)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = CliApp.Run(["selftest", "--url", url, "--ca-file", caFile, "--connect-to", $"127.0.0.1:{_server.Port}"], output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void The_helm_test_command_passes_against_the_server_with_the_charts_certificate()
    {
        // The test Pod's arguments, as the chart renders them.
        var command = _rendered.Single("Pod")["spec"]!["containers"]![0]!["command"]!.AsArray().Select(c => (string)c!).ToList();
        Assert.Equal(["policywebhook", "selftest", "--url", ServiceUrl, "--ca-file", "/etc/policywebhook/ca/ca.crt"], command);

        var (code, output, error) = Selftest(ServiceUrl, Path.Combine(_folder, "ca.crt"));
        Assert.True(code == CliApp.Allowed, output + error);
        Assert.StartsWith($"OK: {ServiceUrl.Replace(":443", "", StringComparison.Ordinal)}/validate answered over HTTP/2", output, StringComparison.Ordinal);
        Assert.Contains("was allowed", output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_selftest_fails_when_the_certificate_does_not_chain_to_the_given_ca()
    {
        var other = Path.Combine(_folder, "other-ca.crt");
        File.WriteAllText(other, Helm.SuppliedCaPem());
        var (code, _, error) = Selftest(ServiceUrl, other);
        Assert.Equal(CliApp.Denied, code);
        Assert.Contains("does not chain to the CA bundle", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_selftest_fails_when_the_certificate_names_another_host()
    {
        var (code, _, error) = Selftest($"https://elsewhere.{Helm.Namespace}.svc:443", Path.Combine(_folder, "ca.crt"));
        Assert.Equal(CliApp.Denied, code);
        Assert.Contains("is not valid for elsewhere.policy-webhook.svc", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_selftest_refuses_plain_http_and_an_unreadable_ca()
    {
        Assert.Equal(CliApp.BadInput, Selftest("http://localhost:8443", Path.Combine(_folder, "ca.crt")).Code);
        var (code, _, error) = Selftest(ServiceUrl, Path.Combine(_folder, "missing.crt"));
        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains("cannot read the CA bundle", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_alerts_read_metrics_the_server_exports()
    {
        Assert.Equal(CliApp.Allowed, Selftest(ServiceUrl, Path.Combine(_folder, "ca.crt")).Code);
        var metrics = await _server.MetricsAsync();
        var alerts = _rendered.Single("PrometheusRule")["spec"]!["groups"]![0]!["rules"]!.AsArray();
        var used = alerts.SelectMany(a => WebhookServer.MetricNames((string)a!["expr"]!)).Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.Equal(
            ["policywebhook_admission_duration_seconds_bucket", "policywebhook_admission_requests_total", "policywebhook_loop_up", "policywebhook_sigstore_trust_expiry_timestamp_seconds", "policywebhook_tls_certificate_expiry_timestamp_seconds"],
            used);
        Assert.Empty(WebhookServer.NotExported(used, metrics));
        Assert.Contains("decision=\"allowed\"", metrics, StringComparison.Ordinal);
    }
}
