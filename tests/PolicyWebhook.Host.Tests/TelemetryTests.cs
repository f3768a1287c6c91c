using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using PolicyWebhook.Host.Telemetry;
using PolicyWebhook.Host.Tls;

namespace PolicyWebhook.Host.Tests;

[Collection(MetricsCollection.Name)]
public sealed class TelemetryTests
{
    private const string Secret = "hunter2-NOT-A-REAL-SECRET";

    private static async Task<string> MetricsAsync(HttpClient client)
    {
        using var response = await client.GetAsync(new Uri("/metrics", UriKind.Relative), TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Metrics_AfterADenial_CountRequestsViolationsAndPolicies()
    {
        using var factory = new WebhookFactory();
        var client = factory.CreateClient();
        await WebhookFactory.ReviewAsync(client, "/validate", Reviews.Sample("pod-privileged-hostnetwork-create.json"));
        await WebhookFactory.ReviewAsync(client, "/validate", Reviews.Of(Reviews.CompliantPod()));

        var metrics = await MetricsAsync(client);

        Assert.Matches("""policywebhook_admission_requests_total\{[^}]*decision="denied"[^}]*kind="Pod"[^}]*mode="enforce"[^}]*operation="CREATE"[^}]*webhook="validate"[^}]*\} 1""", metrics);
        Assert.Matches("""policywebhook_admission_requests_total\{[^}]*decision="allowed"[^}]*mode="none"[^}]*\} 1""", metrics);
        Assert.Matches("""policywebhook_admission_duration_seconds_count\{[^}]*decision="denied"[^}]*\} 1""", metrics);
        Assert.Matches("""policywebhook_violations_total\{[^}]*check="privileged"[^}]*mode="enforce"[^}]*policy="default"[^}]*\} 1""", metrics);
        Assert.Matches("""policywebhook_policies_loaded(_ratio)?\{[^}]*\} 1""", metrics);
        Assert.Matches("""policywebhook_policies_last_reload_timestamp_seconds\{[^}]*\} \d""", metrics);
        Assert.Matches("""policywebhook_loop_up(_ratio)?\{[^}]*loop="reload TLS certificate"[^}]*\} 1""", metrics);
    }

    [Fact]
    public async Task Metrics_BeforeAnyRequest_ShowTheServedCertificatesExpiryAndThePolicies()
    {
        var folder = Path.Combine(Path.GetTempPath(), "policywebhook-tests", Guid.NewGuid().ToString("N"));
        DevCertificates.Create(folder);
        using var factory = new WebhookFactory(new Dictionary<string, string?>
        {
            ["Tls:CertificateFile"] = Path.Combine(folder, "tls.crt"),
            ["Tls:KeyFile"] = Path.Combine(folder, "tls.key"),
        });
        var client = factory.CreateClient();
        // Kestrel loads it at start; the in-memory test server has no TLS, so load it as the first handshake would.
        var served = factory.Services.GetRequiredService<CertificateReloader>().Certificate;

        var metrics = await MetricsAsync(client);

        var expiry = new DateTimeOffset(served.NotAfter).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        Assert.Matches("""policywebhook_tls_certificate_expiry_timestamp_seconds\{[^}]*\} """ + expiry + "\n", metrics);
        Assert.Matches("""policywebhook_policies_loaded(_ratio)?\{[^}]*\} 1""", metrics);
        Assert.DoesNotContain("policywebhook_admission_requests_total", metrics, StringComparison.Ordinal);
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task Secret_InASpec_IsInNoAnswerLogLineOrMetric()
    {
        // A mutating policy, so /mutate reads and rewrites the object too.
        using var factory = WebhookFactory.WithPolicies(out _, ("policy.yaml", MutateEndpointTests.MutatingPolicy.Replace("readOnlyRootFilesystem: {}\n", "readOnlyRootFilesystem: {}\n    inlineSecrets: {}\n", StringComparison.Ordinal)));
        var client = factory.CreateClient();
        var review = Reviews.Sample("pod-env-password-create.json");
        Assert.Contains(Secret, review, StringComparison.Ordinal);

        using var validate = await WebhookFactory.PostAsync(client, "/validate", review);
        using var mutate = await WebhookFactory.PostAsync(client, "/mutate", review);
        var answers = await validate.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)
            + await mutate.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var patch = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(System.Text.Json.Nodes.JsonNode.Parse(
            await mutate.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["response"]!["patch"]!.GetValue<string>()));
        Assert.DoesNotContain("hunter2", patch, StringComparison.Ordinal);

        Assert.Contains("DB_PASSWORD", answers, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", answers, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", await MetricsAsync(client), StringComparison.Ordinal);
        Assert.Contains(factory.Logs, l => l.Contains("inlineSecrets", StringComparison.Ordinal));
        Assert.DoesNotContain(factory.Logs, l => l.Contains("hunter2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Log_OneStructuredLinePerDecision_WithUidUserAndChecks()
    {
        using var factory = new WebhookFactory();
        var review = Reviews.Sample("pod-privileged-hostnetwork-create.json");

        await WebhookFactory.ReviewAsync(factory.CreateClient(), "/validate", review);

        var line = Assert.Single(factory.Logs, l => l.Contains("f05f0d72-114e-407e-bbb8-ee1ed2672df2", StringComparison.Ordinal));
        Assert.Contains("Decision=denied", line, StringComparison.Ordinal);
        Assert.Contains("User=cp-admin", line, StringComparison.Ordinal);
        Assert.Contains("Kind=Pod", line, StringComparison.Ordinal);
        Assert.Contains("default/privileged(Enforce)", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Trace_OneSpanPerRequest_WithUidKindNamespaceOperationAndDecision()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == AdmissionTracing.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        using var factory = new WebhookFactory();

        // Listeners are process-wide and other tests run at the same time: a fresh uid tells this request's span apart.
        var review = Reviews.Of(Reviews.Pod(container: "\"securityContext\":{\"privileged\":true}"));
        var uid = System.Text.Json.Nodes.JsonNode.Parse(review)!["request"]!["uid"]!.GetValue<string>();

        await WebhookFactory.ReviewAsync(factory.CreateClient(), "/validate", review);

        var span = Assert.Single(spans, s => (string?)s.GetTagItem("admission.uid") == uid);
        Assert.Equal("admission validate", span.DisplayName);
        Assert.Equal("Pod", span.GetTagItem("k8s.kind"));
        Assert.Equal("shop", span.GetTagItem("k8s.namespace.name"));
        Assert.Equal("CREATE", span.GetTagItem("admission.operation"));
        Assert.Equal("denied", span.GetTagItem("admission.decision"));
    }
}
