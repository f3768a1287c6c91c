using System.Text.Json.Nodes;

namespace PolicyWebhook.Host.Tests;

public sealed class PolicyModeTests
{
    private static string Policy(string name, string mode, string rules = "  podSecurity:\n    level: restricted\n") =>
        $"apiVersion: policywebhook.io/v1alpha1\nkind: ClusterPolicy\nmetadata:\n  name: {name}\nspec:\n  mode: {mode}\n{rules}";

    [Fact]
    public async Task Validate_WarnPolicy_AllowsWithOneShortWarningPerViolation()
    {
        using var factory = WebhookFactory.WithPolicies(out _, ("warn.yaml", Policy("restricted-warn", "Warn")));

        var response = await WebhookFactory.ReviewAsync(factory.CreateClient(), "/validate", Reviews.Of(Reviews.Pod()));

        Assert.True(response["allowed"]!.GetValue<bool>());
        var warnings = response["warnings"]!.AsArray().Select(w => w!.GetValue<string>()).ToList();
        Assert.Equal(4, warnings.Count);
        Assert.All(warnings, w => Assert.True(w.Length <= 120, $"{w.Length}: {w}"));
        Assert.Contains("restricted-warn: runAsNonRoot: container \"app\" must set securityContext.runAsNonRoot=true", warnings);
    }

    [Fact]
    public async Task Validate_ManyWarnings_AreBoundedAndTheLastSaysHowManyMore()
    {
        using var factory = WebhookFactory.WithPolicies(out _, ("warn.yaml", Policy("restricted-warn", "Warn")));
        var pod = Reviews.Pod();
        var containers = pod["spec"]!["containers"]!.AsArray();
        for (var i = 1; i < 6; i++)
        {
            containers.Add(JsonNode.Parse($$"""{"name":"c{{i}}","image":"registry.example.com/c:1"}"""));
        }

        var response = await WebhookFactory.ReviewAsync(factory.CreateClient(), "/validate", Reviews.Of(pod));

        var warnings = response["warnings"]!.AsArray().Select(w => w!.GetValue<string>()).ToList();
        // 14 findings: allowPrivilegeEscalation and capabilities for each of the 6 containers, and runAsNonRoot and
        // seccompProfile once each at pod level, as no container sets them.
        Assert.Equal(10, warnings.Count);
        Assert.Equal("and 5 more warnings; run 'policywebhook check' on the manifest to see them all", warnings[^1]);
    }

    [Fact]
    public async Task Validate_AuditPolicy_AllowsWithAuditAnnotations()
    {
        using var factory = WebhookFactory.WithPolicies(out _, ("audit.yaml", Policy("tags-audit", "Audit", "  rules:\n    imageTags: {}\n")));

        var response = await WebhookFactory.ReviewAsync(factory.CreateClient(), "/validate", Reviews.Of(Reviews.Pod(image: "nginx")));

        Assert.True(response["allowed"]!.GetValue<bool>());
        Assert.Null(response["warnings"]);
        var annotations = response["auditAnnotations"]!.AsObject();
        var (key, value) = Assert.Single(annotations);
        Assert.Equal("tags-audit.imageTags", key);
        Assert.Contains("at spec.containers[0].image", value!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_EnforceAndWarnTogether_DeniesAndStillWarns()
    {
        using var factory = WebhookFactory.WithPolicies(
            out _,
            ("enforce.yaml", Policy("baseline", "Enforce", "  podSecurity:\n    level: baseline\n")),
            ("warn.yaml", Policy("restricted-warn", "Warn")));
        var pod = Reviews.Pod(container: "\"securityContext\":{\"privileged\":true}");

        var response = await WebhookFactory.ReviewAsync(factory.CreateClient(), "/validate", Reviews.Of(pod));

        Assert.False(response["allowed"]!.GetValue<bool>());
        Assert.StartsWith("Pod \"web\" violates ClusterPolicy \"baseline\":\n- privileged", response["status"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotEmpty(response["warnings"]!.AsArray());
    }

    [Fact]
    public async Task Validate_NamespacedPolicy_AppliesOnlyInItsNamespace()
    {
        const string yaml = "apiVersion: policywebhook.io/v1alpha1\nkind: Policy\nmetadata:\n  name: shop-only\n  namespace: shop\nspec:\n  rules:\n    imageTags: {}\n";
        using var factory = WebhookFactory.WithPolicies(out _, ("p.yaml", yaml));
        var client = factory.CreateClient();

        var inShop = await WebhookFactory.ReviewAsync(client, "/validate", Reviews.Of(Reviews.Pod(image: "nginx"), @namespace: "shop"));
        var elsewhere = Reviews.Pod(image: "nginx");
        elsewhere["metadata"]!["namespace"] = "billing";
        var inBilling = await WebhookFactory.ReviewAsync(client, "/validate", Reviews.Of(elsewhere, @namespace: "billing"));

        Assert.False(inShop["allowed"]!.GetValue<bool>());
        Assert.True(inBilling["allowed"]!.GetValue<bool>());
    }
}
