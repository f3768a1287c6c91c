using System.Text.Json.Nodes;
using PolicyWebhook.Host.Tls;

namespace PolicyWebhook.Chart.Tests;

/// <summary>The Grafana dashboard and the certificate alerts: rendered when asked, and reading only what the server exports.</summary>
public sealed class MonitoringTests
{
    private const string TagsPolicy = "apiVersion: policywebhook.io/v1alpha1\nkind: ClusterPolicy\nmetadata:\n  name: tags\nspec:\n  rules:\n    imageTags: {}\n";

    private static readonly string Exception =
        "apiVersion: policywebhook.io/v1alpha1\nkind: PolicyException\nmetadata:\n  name: nginx-latest\n  namespace: shop\nspec:\n"
        + "  policy: {name: tags}\n  checks: [imageTags]\n  match: {names: [web]}\n  justification: the vendor publishes only :latest until March\n"
        + $"  expiresAt: \"{DateTimeOffset.UtcNow.AddDays(30):yyyy-MM-ddTHH:mm:ssZ}\"\n";

    private static JsonObject Dashboard(Rendered rendered) =>
        JsonNode.Parse((string)rendered.Single("ConfigMap", $"{Helm.Release}-policy-webhook-dashboard")["data"]!["policy-webhook.json"]!)!.AsObject();

    private static IEnumerable<string> Queries(JsonObject dashboard) =>
        dashboard["panels"]!.AsArray().SelectMany(p => p!["targets"]!.AsArray().Select(t => (string)t!["expr"]!))
            .Concat(dashboard["templating"]!["list"]!.AsArray().Select(v => (string?)v!["definition"]).OfType<string>());

    [Fact]
    public void The_dashboard_renders_only_when_enabled_with_the_sidecars_label()
    {
        Assert.Null(Helm.Template().Find("ConfigMap", $"{Helm.Release}-policy-webhook-dashboard"));
        Assert.Null(Helm.Template(["url-mode-values.yaml"], set: ["dashboard.enabled=true"]).Find("ConfigMap", $"{Helm.Release}-policy-webhook-dashboard"));

        var rendered = Helm.Template(["operations-values.yaml"]);
        var configMap = rendered.Single("ConfigMap", $"{Helm.Release}-policy-webhook-dashboard");
        Assert.Equal("1", (string?)configMap["metadata"]!["labels"]!["grafana_dashboard"]);
        Assert.Equal(Helm.Namespace, (string?)configMap["metadata"]!["namespace"]);
        Assert.Equal("policy-webhook", (string?)Dashboard(rendered)["uid"]);

        var custom = Helm.Template(set: ["dashboard.enabled=true", "dashboard.label=example.com/dashboard", "dashboard.labelValue=yes", "dashboard.namespace=monitoring"]);
        var moved = custom.Single("ConfigMap", $"{Helm.Release}-policy-webhook-dashboard");
        Assert.Equal("yes", (string?)moved["metadata"]!["labels"]!["example.com/dashboard"]);
        Assert.Null(moved["metadata"]!["labels"]!["grafana_dashboard"]);
        Assert.Equal("monitoring", (string?)moved["metadata"]!["namespace"]);
    }

    [Fact]
    public void The_dashboard_shows_decisions_latency_violations_policies_exceptions_and_the_certificate()
    {
        var queries = string.Join('\n', Queries(Dashboard(Helm.Template(["operations-values.yaml"]))));
        string[] expected =
        [
            "sum by (decision, mode) (rate(policywebhook_admission_requests_total",
            "histogram_quantile(0.5, sum by (le) (rate(policywebhook_admission_duration_seconds_bucket",
            "histogram_quantile(0.99, sum by (le) (rate(policywebhook_admission_duration_seconds_bucket",
            "sum by (policy, check) (rate(policywebhook_violations_total",
            "policywebhook_policies_loaded",
            "policywebhook_exceptions{",
            "policywebhook_exceptions_expiry_timestamp_seconds",
            "policywebhook_tls_certificate_expiry_timestamp_seconds",
        ];
        Assert.All(expected, e => Assert.Contains(e, queries, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_metric_the_dashboard_reads_is_one_the_server_exports()
    {
        var queries = Queries(Dashboard(Helm.Template(["operations-values.yaml"]))).ToList();
        var used = queries.SelectMany(WebhookServer.MetricNames).Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.True(used.Count >= 10, string.Join(", ", used));

        // A server with a policy and an exception, that has denied one pod and let one in by that exception, so every
        // series a quiet cluster has only later (waived violations) is there.
        var folder = Directory.CreateTempSubdirectory("policywebhook-dashboard").FullName;
        var policies = Directory.CreateDirectory(Path.Combine(folder, "policies")).FullName;
        try
        {
            var ca = DevCertificates.Create(folder);
            await File.WriteAllTextAsync(Path.Combine(policies, "tags.yaml"), TagsPolicy, TestContext.Current.CancellationToken);
            await File.WriteAllTextAsync(Path.Combine(policies, "exception.yaml"), Exception, TestContext.Current.CancellationToken);
            await using var server = await WebhookServer.StartAsync(folder, new Dictionary<string, string?> { ["Policies:Directory"] = policies });

            Assert.Contains("\"allowed\":true", await server.ValidateAsync(Review("web"), ca), StringComparison.Ordinal);
            Assert.Contains("\"allowed\":false", await server.ValidateAsync(Review("api"), ca), StringComparison.Ordinal);
            var metrics = await server.MetricsAsync();

            Assert.Empty(WebhookServer.NotExported(used, metrics));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void The_certificate_alerts_warn_first_then_page_and_say_how_to_renew()
    {
        static JsonObject Alert(Rendered rendered, string name) =>
            Assert.Single(rendered.Single("PrometheusRule")["spec"]!["groups"]![0]!["rules"]!.AsArray(), a => (string?)a!["alert"] == name)!.AsObject();

        var rendered = Helm.Template(["operations-values.yaml"]);
        var soon = Alert(rendered, "PolicyWebhookCertificateExpiresSoon");
        var expiring = Alert(rendered, "PolicyWebhookCertificateExpiring");
        Assert.Contains("< 14 * 86400", (string?)soon["expr"], StringComparison.Ordinal);
        Assert.Equal("warning", (string?)soon["labels"]!["severity"]);
        Assert.Contains("< 2 * 86400", (string?)expiring["expr"], StringComparison.Ordinal);
        Assert.Equal("critical", (string?)expiring["labels"]!["severity"]);
        // Prometheus fills in the time left; Helm must leave its template alone.
        Assert.Contains("{{ $value | humanizeDuration }}", (string?)soon["annotations"]!["description"], StringComparison.Ordinal);
        Assert.Contains("Run helm upgrade", (string?)soon["annotations"]!["description"], StringComparison.Ordinal);

        var certManager = Helm.Template(["operations-values.yaml", "certs-cert-manager-values.yaml"], set: ["prometheusRule.certificateExpiryWarningDays=30"]);
        Assert.Contains("< 30 * 86400", (string?)Alert(certManager, "PolicyWebhookCertificateExpiresSoon")["expr"], StringComparison.Ordinal);
        Assert.Contains($"kubectl describe certificate -n {Helm.Namespace} {Helm.Release}-policy-webhook-serving", (string?)Alert(certManager, "PolicyWebhookCertificateExpiresSoon")["annotations"]!["description"], StringComparison.Ordinal);
    }

    [Fact]
    public void The_sigstore_trust_alert_warns_before_a_trusted_authority_window_ends_and_says_how_to_refresh()
    {
        var rules = Helm.Template(["operations-values.yaml"], set: ["prometheusRule.sigstoreTrustExpiryWarningDays=45"]).Single("PrometheusRule")["spec"]!["groups"]![0]!["rules"]!.AsArray();
        var alert = Assert.Single(rules, a => (string?)a!["alert"] == "PolicyWebhookSigstoreTrustEnds")!;

        Assert.Contains("min(policywebhook_sigstore_trust_expiry_timestamp_seconds{", (string?)alert["expr"], StringComparison.Ordinal);
        Assert.Contains("< 45 * 86400", (string?)alert["expr"], StringComparison.Ordinal);
        Assert.Equal("warning", (string?)alert["labels"]!["severity"]);
        Assert.Contains("policywebhook trusted-root", (string?)alert["annotations"]!["description"], StringComparison.Ordinal);
    }

    private static string Review(string name) => new JsonObject
    {
        ["apiVersion"] = "admission.k8s.io/v1",
        ["kind"] = "AdmissionReview",
        ["request"] = new JsonObject
        {
            ["uid"] = Guid.NewGuid().ToString(),
            ["kind"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["kind"] = "Pod" },
            ["namespace"] = "shop",
            ["name"] = name,
            ["operation"] = "CREATE",
            ["userInfo"] = new JsonObject { ["username"] = "dev@example.com" },
            ["object"] = JsonNode.Parse($$$"""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"{{{name}}}","namespace":"shop"},"spec":{"containers":[{"name":"app","image":"nginx"}]}}"""),
            ["dryRun"] = false,
        },
    }.ToJsonString();
}
