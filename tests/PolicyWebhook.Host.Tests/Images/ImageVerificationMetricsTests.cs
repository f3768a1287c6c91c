using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using PolicyWebhook.Tests.Shared;

namespace PolicyWebhook.Host.Tests.Images;

/// <summary>
/// What /metrics says of image verification after a few admissions: verdicts by result, cache lookups by outcome,
/// the cache's size and the registry rounds' duration; and that no label carries a registry, an image or a credential.
/// </summary>
[Collection(MetricsCollection.Name)]
public sealed partial class ImageVerificationMetricsTests(RegistryServer real) : IClassFixture<RegistryServer>
{
    private const string Password = "s3cr3t-NOT-A-REAL-PASSWORD";
    private const string User = "robot-NOT-A-REAL-USER";

    // Every label these metrics may carry, and every value each may take; otel_scope_* are the exporter's own.
    private static readonly Dictionary<string, string[]> AllowedLabels = new(StringComparer.Ordinal)
    {
        ["result"] = ["verified", "failed", "unavailable"],
        ["outcome"] = ["hit", "miss", "joined", "answered", "timeout", "error"],
        ["kind"] = ["resolve", "verify"],
    };

    [Fact]
    public async Task Metrics_AfterVerifiedFailedAndTimedOutAdmissions_CountResultsLookupsSizeAndRounds()
    {
        await using var slow = await FakeRegistry.UnsignedAsync(slow: true);
        var credentials = Directory.CreateTempSubdirectory("policywebhook-auth-").FullName;
        var secret = Directory.CreateDirectory(Path.Combine(credentials, "registry-auth")).FullName;
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}"));
        await File.WriteAllTextAsync(
            Path.Combine(secret, ".dockerconfigjson"),
            DockerConfig(auth, slow.Host, real.Host),
            TestContext.Current.CancellationToken);
        using var webhook = ImageWebhook.Start([real.Host, slow.Host], settings: new Dictionary<string, string?> { ["ImageVerification:RegistryAuthDirectory"] = credentials });
        var signed = ImageWebhook.PodReview($"{real.Host}/shop/app:1.0");

        var verified = await webhook.ReviewAsync(signed);
        await webhook.ReviewAsync(signed);
        // Two requests give up on the slow registry's one round: the first starts it, the second joins it.
        await webhook.ReviewAsync(ImageWebhook.PodReview(slow.Image), timeout: "2s");
        await webhook.ReviewAsync(ImageWebhook.PodReview(slow.Image), timeout: "2s");
        slow.Open();
        var unsigned = await webhook.ReviewAsync(ImageWebhook.PodReview(slow.Image));
        var metrics = await MetricsAsync(webhook.Client);
        Directory.Delete(credentials, recursive: true);

        Assert.True(verified.Allowed(), verified.ToJsonString());
        Assert.False(unsigned.Allowed());
        Assert.Equal(2, Sample(metrics, "policywebhook_image_verifications_total", ("result", "verified")));
        Assert.Equal(2, Sample(metrics, "policywebhook_image_verifications_total", ("result", "unavailable")));
        Assert.Equal(1, Sample(metrics, "policywebhook_image_verifications_total", ("result", "failed")));
        // Misses: the signed image's tag and facts, the slow image's tag and, once it answered, its facts.
        Assert.Equal(4, Sample(metrics, "policywebhook_image_cache_lookups_total", ("outcome", "miss")));
        Assert.True(Sample(metrics, "policywebhook_image_cache_lookups_total", ("outcome", "hit")) >= 2, metrics);
        Assert.True(Sample(metrics, "policywebhook_image_cache_lookups_total", ("outcome", "joined")) >= 1, metrics);
        // Two tags resolved, two digests' facts.
        Assert.Equal(4, Sample(metrics, "policywebhook_image_cache_entries"));
        Assert.True(Sample(metrics, "policywebhook_image_cache_size_bytes") > 0, metrics);
        Assert.Equal(2, Sample(metrics, "policywebhook_registry_round_duration_seconds_count", ("kind", "resolve"), ("outcome", "answered")));
        Assert.Equal(2, Sample(metrics, "policywebhook_registry_round_duration_seconds_count", ("kind", "verify"), ("outcome", "answered")));
    }

    [Fact]
    public async Task Metrics_ImageVerification_LabelNoRegistryImageOrCredential()
    {
        await using var failing = await FakeRegistry.FailingAsync();
        var credentials = Directory.CreateTempSubdirectory("policywebhook-auth-").FullName;
        var secret = Directory.CreateDirectory(Path.Combine(credentials, "registry-auth")).FullName;
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}"));
        await File.WriteAllTextAsync(Path.Combine(secret, ".dockerconfigjson"), DockerConfig(auth, failing.Host), TestContext.Current.CancellationToken);
        using var webhook = ImageWebhook.Start([real.Host, failing.Host], settings: new Dictionary<string, string?> { ["ImageVerification:RegistryAuthDirectory"] = credentials });

        await webhook.ReviewAsync(ImageWebhook.PodReview($"{real.Host}/shop/app:1.0"));
        await webhook.ReviewAsync(ImageWebhook.PodReview($"{real.Host}/shop/app:2.0"));
        await webhook.ReviewAsync(ImageWebhook.PodReview(failing.Image));
        var metrics = await MetricsAsync(webhook.Client);
        Directory.Delete(credentials, recursive: true);

        var lines = metrics.Split('\n').Where(l => l.StartsWith("policywebhook_image_", StringComparison.Ordinal) || l.StartsWith("policywebhook_registry_", StringComparison.Ordinal)).ToList();
        Assert.Contains(lines, l => l.StartsWith("policywebhook_image_verifications_total", StringComparison.Ordinal));
        foreach (var line in lines)
        {
            foreach (Match label in Label().Matches(line))
            {
                var (name, value) = (label.Groups[1].Value, label.Groups[2].Value);
                Assert.True(
                    name is "le" || name.StartsWith("otel_scope_", StringComparison.Ordinal) || (AllowedLabels.TryGetValue(name, out var values) && values.Contains(value)),
                    $"label {name}=\"{value}\" in: {line}");
            }
        }

        foreach (var leak in new[] { Password, User, auth, failing.Host, real.Host, "shop/app" })
        {
            Assert.DoesNotContain(leak, metrics, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Metrics_SigstoreTrust_SaysTheBuiltInRootsDateAndTheSoonestEndOfAnOpenWindow()
    {
        using var sigstore = new TestSigstore();
        var root = System.Text.Json.Nodes.JsonNode.Parse(sigstore.TrustedRootJson)!;
        var ends = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddDays(20).ToUnixTimeSeconds());
        root["certificateAuthorities"]![0]!["validFor"]!["end"] = ends.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var roots = Directory.CreateTempSubdirectory("policywebhook-roots-").FullName;
        await File.WriteAllTextAsync(Path.Combine(roots, "private.json"), root.ToJsonString(), TestContext.Current.CancellationToken);
        using var webhook = ImageWebhook.Start(real.Host, settings: new Dictionary<string, string?> { ["ImageVerification:TrustedRootsDirectory"] = roots });

        // Before any admission: the gauges are there from the start.
        var metrics = await MetricsAsync(webhook.Client);
        Directory.Delete(roots, recursive: true);

        Assert.Equal(ends.ToUnixTimeSeconds(), Sample(metrics, "policywebhook_sigstore_trust_expiry_timestamp_seconds"));
        Assert.Equal(DateTimeOffset.Parse("2025-10-21T00:00:00Z", CultureInfo.InvariantCulture).ToUnixTimeSeconds(), Sample(metrics, "policywebhook_sigstore_embedded_root_timestamp_seconds"));
    }

    private static string DockerConfig(string auth, params string[] registries) =>
        new System.Text.Json.Nodes.JsonObject
        {
            ["auths"] = new System.Text.Json.Nodes.JsonObject(registries.Select(r =>
                KeyValuePair.Create(r, (System.Text.Json.Nodes.JsonNode?)new System.Text.Json.Nodes.JsonObject { ["auth"] = auth }))),
        }.ToJsonString();

    private static async Task<string> MetricsAsync(HttpClient client)
    {
        using var response = await client.GetAsync(new Uri("/metrics", UriKind.Relative), TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
    }

    // The value of the one sample of a metric whose labels include these; fails when there is none or several.
    private static double Sample(string metrics, string name, params (string Name, string Value)[] labels)
    {
        var samples = metrics.Split('\n')
            .Where(l => l.StartsWith(name + "{", StringComparison.Ordinal) || l.StartsWith(name + " ", StringComparison.Ordinal))
            .Where(l => labels.All(label => l.Contains($"{label.Name}=\"{label.Value}\"", StringComparison.Ordinal)))
            .ToList();
        Assert.True(samples.Count == 1, $"{samples.Count} samples of {name} {string.Join(',', labels)} in:\n{metrics}");
        var line = samples[0];
        var value = line.Contains('{', StringComparison.Ordinal) ? line[(line.LastIndexOf('}') + 1)..] : line[name.Length..];
        return double.Parse(value.Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""([^""]*)""")]
    private static partial Regex Label();
}
