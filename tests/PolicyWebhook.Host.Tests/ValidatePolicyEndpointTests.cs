using System.Text.Json.Nodes;

namespace PolicyWebhook.Host.Tests;

public sealed class ValidatePolicyEndpointTests : IClassFixture<WebhookFactoryFixture>
{
    private readonly HttpClient _client;

    public ValidatePolicyEndpointTests(WebhookFactoryFixture fixture) => _client = fixture.Default.CreateClient();

    private static JsonObject Policy(string spec) => JsonNode.Parse($$"""
        {"apiVersion":"policywebhook.io/v1alpha1","kind":"ClusterPolicy",
         "metadata":{"name":"restricted","generation":1,"managedFields":[{"manager":"kubectl-client-side-apply","operation":"Update"}]},
         "spec":{{spec}}}
        """)!.AsObject();

    [Fact]
    public async Task ValidatePolicy_BrokenPolicy_IsDeniedListingEveryFieldError()
    {
        var policy = Policy("""{"mode":"Enforced","podSecurity":{"level":"strict"},"rules":{"images":{"allowedRegistries":["https://ghcr.io"]}}}""");

        var response = await WebhookFactory.ReviewAsync(_client, "/validate-policy", Reviews.Of(policy, @namespace: ""));

        Assert.False(response["allowed"]!.GetValue<bool>());
        Assert.Equal(422, response["status"]!["code"]!.GetValue<int>());
        Assert.Equal(
            "ClusterPolicy \"restricted\" is not valid:\n"
            + "- spec.mode: \"Enforced\" is not a mode (use Enforce, Warn or Audit)\n"
            + "- spec.podSecurity.level: \"strict\" is not a level (use privileged, baseline or restricted)\n"
            + "- spec.rules.images.allowedRegistries[0]: \"https://ghcr.io\" is not a registry host (write the host only, such as ghcr.io)",
            response["status"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task ValidatePolicy_UnknownField_IsNamed()
    {
        var response = await WebhookFactory.ReviewAsync(_client, "/validate-policy", Reviews.Of(Policy("""{"podSecurity":{"level":"baseline","levle":"x"}}"""), @namespace: ""));

        Assert.Equal(
            "ClusterPolicy \"restricted\" is not valid:\n- spec.podSecurity.levle: unknown field (check its spelling against the policy reference)",
            response["status"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task ValidatePolicy_NamespaceIsolationOnANamespacedPolicy_IsDeniedNamingTheField()
    {
        var policy = JsonNode.Parse("""
            {"apiVersion":"policywebhook.io/v1alpha1","kind":"Policy","metadata":{"name":"isolate","namespace":"shop"},"spec":{"namespaceIsolation":{"mode":"Warn"}}}
            """)!.AsObject();

        var response = await WebhookFactory.ReviewAsync(_client, "/validate-policy", Reviews.Of(policy, @namespace: "shop"));

        Assert.False(response["allowed"]!.GetValue<bool>());
        Assert.Equal(
            "Policy \"isolate\" is not valid:\n- spec.namespaceIsolation: a namespaced Policy cannot isolate namespaces: move namespaceIsolation to a ClusterPolicy",
            response["status"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task ValidatePolicy_NamespaceIsolationOnAClusterPolicy_IsAllowed()
    {
        var response = await WebhookFactory.ReviewAsync(_client, "/validate-policy", Reviews.Of(Policy("""{"namespaceIsolation":{"mode":"Enforce","egress":true,"keep":true}}"""), @namespace: ""));

        Assert.True(response["allowed"]!.GetValue<bool>());
    }

    [Fact]
    public async Task ValidatePolicy_ValidPolicyWithStatus_IsAllowed()
    {
        var policy = Policy("""{"podSecurity":{"level":"restricted","version":"v1.33"}}""");
        policy["status"] = JsonNode.Parse("""{"observedGeneration":1,"conditions":[{"type":"Ready","status":"True","reason":"Valid"}]}""");

        var response = await WebhookFactory.ReviewAsync(_client, "/validate-policy", Reviews.Of(policy, "UPDATE", @namespace: "", oldObject: policy));

        Assert.True(response["allowed"]!.GetValue<bool>());
    }

    [Fact]
    public async Task ValidatePolicy_ExceptionAlreadyExpired_IsDeniedOnCreate()
    {
        var exception = JsonNode.Parse("""
            {"apiVersion":"policywebhook.io/v1alpha1","kind":"PolicyException","metadata":{"name":"late","namespace":"shop"},
             "spec":{"policy":{"name":"restricted"},"checks":["runAsNonRoot"],"match":{"names":["web"]},
                     "justification":"vendor image runs as root until 3.0","expiresAt":"2020-01-01T00:00:00Z"}}
            """)!.AsObject();

        var response = await WebhookFactory.ReviewAsync(_client, "/validate-policy", Reviews.Of(exception));

        Assert.Equal("PolicyException \"late\" is not valid:\n- spec.expiresAt: \"2020-01-01T00:00:00Z\" is in the past", response["status"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task ValidatePolicy_ExceptionForAPolicyNotLoaded_IsAllowedWithAWarning()
    {
        var expiry = DateTimeOffset.UtcNow.AddDays(10).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        var exception = JsonNode.Parse("""
            {"apiVersion":"policywebhook.io/v1alpha1","kind":"PolicyException","metadata":{"name":"e","namespace":"shop"},
             "spec":{"policy":{"name":"POLICY"},"checks":["runAsNonRoot","runtimeSockets","imageRegistries"],"match":{"names":["web"]},
                     "justification":"vendor image runs as root until 3.0","expiresAt":"EXPIRY"}}
            """.Replace("EXPIRY", expiry, StringComparison.Ordinal).Replace("POLICY", "nope", StringComparison.Ordinal))!.AsObject();

        var missing = await WebhookFactory.ReviewAsync(_client, "/validate-policy", Reviews.Of(exception));
        exception["spec"]!["policy"]!["name"] = "default";
        var partly = await WebhookFactory.ReviewAsync(_client, "/validate-policy", Reviews.Of(exception));

        Assert.True(missing["allowed"]!.GetValue<bool>());
        Assert.Equal(["ClusterPolicy \"nope\" is not loaded: this exception waives nothing until it is"], missing["warnings"]!.AsArray().Select(w => w!.GetValue<string>()));
        Assert.True(partly["allowed"]!.GetValue<bool>());
        Assert.Equal(["ClusterPolicy \"default\" does not run check imageRegistries: waiving it changes nothing"], partly["warnings"]!.AsArray().Select(w => w!.GetValue<string>()));
    }

    [Fact]
    public async Task ValidatePolicy_OtherGroupsAndDeletes_AreAllowed()
    {
        var review = JsonNode.Parse(Reviews.Of(Policy("""{"mode":"Enforced"}"""), "DELETE", @namespace: ""))!;
        review["request"]!["oldObject"] = review["request"]!["object"]!.DeepClone();
        review["request"]!["object"] = null;

        var response = await WebhookFactory.ReviewAsync(_client, "/validate-policy", review.ToJsonString());

        Assert.True(response["allowed"]!.GetValue<bool>());
    }
}
