using System.Text.Json.Nodes;

namespace PolicyWebhook.Host.Tests;

public sealed class MutateEndpointTests : IDisposable
{
    internal const string MutatingPolicy = """
        apiVersion: policywebhook.io/v1alpha1
        kind: ClusterPolicy
        metadata:
          name: least-privilege
        spec:
          podSecurity:
            level: restricted
          rules:
            resources: {}
            readOnlyRootFilesystem: {}
          mutation:
            defaults: [runAsNonRoot, allowPrivilegeEscalation, capabilities, seccompProfile, readOnlyRootFilesystem]
            resources:
              requests: {cpu: 100m, memory: 128Mi}
              limits: {memory: 256Mi}
        """;

    private readonly WebhookFactory _factory;
    private readonly HttpClient _client;

    public MutateEndpointTests()
    {
        _factory = WebhookFactory.WithPolicies(out _, ("policy.yaml", MutatingPolicy));
        _client = _factory.CreateClient();
    }

    public void Dispose() => _factory.Dispose();

    private static JsonArray? PatchOf(JsonObject response) =>
        response["patch"] is { } patch ? JsonNode.Parse(Convert.FromBase64String(patch.GetValue<string>()))!.AsArray() : null;

    [Fact]
    public async Task Mutate_BarePod_PatchCompletesItAndValidationThenAllows()
    {
        var pod = Reviews.Pod();
        Assert.False((await WebhookFactory.ReviewAsync(_client, "/validate", Reviews.Of(pod)))["allowed"]!.GetValue<bool>());

        var response = await WebhookFactory.ReviewAsync(_client, "/mutate", Reviews.Of(pod));

        Assert.True(response["allowed"]!.GetValue<bool>());
        Assert.Equal("JSONPatch", response["patchType"]!.GetValue<string>());
        var mutated = JsonPatchApplier.Apply(pod, PatchOf(response)!);
        var verdict = await WebhookFactory.ReviewAsync(_client, "/validate", Reviews.Of(mutated));
        Assert.True(verdict["allowed"]!.GetValue<bool>(), verdict.ToJsonString());
    }

    [Fact]
    public async Task Mutate_SameObjectTwice_SecondPatchIsEmpty()
    {
        var first = await WebhookFactory.ReviewAsync(_client, "/mutate", Reviews.Of(Reviews.Pod()));
        var mutated = JsonPatchApplier.Apply(Reviews.Pod(), PatchOf(first)!);

        var second = await WebhookFactory.ReviewAsync(_client, "/mutate", Reviews.Of(mutated));

        Assert.True(second["allowed"]!.GetValue<bool>());
        Assert.Null(second["patch"]);
    }

    [Fact]
    public async Task Mutate_ValueTheUserSet_IsNeverOverridden()
    {
        var pod = Reviews.Pod(container: """
            "securityContext":{"readOnlyRootFilesystem":false,"allowPrivilegeEscalation":true},"resources":{"requests":{"cpu":"2"}}
            """);

        var response = await WebhookFactory.ReviewAsync(_client, "/mutate", Reviews.Of(pod));

        var container = JsonPatchApplier.Apply(pod, PatchOf(response)!)["spec"]!["containers"]![0]!;
        Assert.False(container["securityContext"]!["readOnlyRootFilesystem"]!.GetValue<bool>());
        Assert.True(container["securityContext"]!["allowPrivilegeEscalation"]!.GetValue<bool>());
        Assert.Equal("2", container["resources"]!["requests"]!["cpu"]!.GetValue<string>());
        Assert.Equal("128Mi", container["resources"]!["requests"]!["memory"]!.GetValue<string>());
    }

    [Fact]
    public async Task Mutate_Deployment_PatchesTheTemplatePath()
    {
        var review = Reviews.Sample("deployment-update-image-mutating.json");
        var node = JsonNode.Parse(review)!;
        node["request"]!["operation"] = "CREATE";
        node["request"]!["oldObject"] = null;
        var securityContext = node["request"]!["object"]!["spec"]!["template"]!["spec"]!.AsObject();
        securityContext.Remove("securityContext");

        var response = await WebhookFactory.ReviewAsync(_client, "/mutate", node.ToJsonString());

        Assert.Contains(PatchOf(response)!, op => op!["path"]!.GetValue<string>() == "/spec/template/spec/securityContext");
    }

    [Fact]
    public async Task Mutate_UpdateOfAPod_IsNeverPatched()
    {
        var old = Reviews.Pod();
        var changed = (JsonObject)old.DeepClone();
        changed["spec"]!["containers"]![0]!["image"] = "registry.example.com/web:1.2.4";

        var response = await WebhookFactory.ReviewAsync(_client, "/mutate", Reviews.Of(changed, "UPDATE", oldObject: old));

        Assert.True(response["allowed"]!.GetValue<bool>());
        Assert.Null(response["patch"]);
    }

    [Fact]
    public async Task Mutate_UpdateOfAJob_IsNeverPatched()
    {
        var job = JsonNode.Parse("""
            {"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"migrate","namespace":"shop"},
             "spec":{"suspend":true,"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"m","image":"registry.example.com/m:1"}]}}}}
            """)!.AsObject();
        var changed = (JsonObject)job.DeepClone();
        changed["spec"]!["template"]!["spec"]!["nodeSelector"] = new JsonObject { ["pool"] = "batch" };

        var response = await WebhookFactory.ReviewAsync(_client, "/mutate", Reviews.Of(changed, "UPDATE", oldObject: job));

        Assert.Null(response["patch"]);
    }

    [Fact]
    public async Task Mutate_ReplicaSetOwnedByADeployment_IsLeftToItsOwner()
    {
        var replicaSet = JsonNode.Parse("""
            {"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"web-6d4cf56db6","namespace":"shop",
               "ownerReferences":[{"apiVersion":"apps/v1","kind":"Deployment","name":"web","uid":"u","controller":true}]},
             "spec":{"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},
               "spec":{"containers":[{"name":"app","image":"registry.example.com/web:1"}]}}}}
            """)!.AsObject();

        var response = await WebhookFactory.ReviewAsync(_client, "/mutate", Reviews.Of(replicaSet));

        Assert.Null(response["patch"]);
    }

    [Fact]
    public async Task Mutate_KubectlDebug_PatchesOnlyTheAddedContainer()
    {
        var old = Reviews.Pod();
        old["spec"]!["ephemeralContainers"] = JsonNode.Parse("""[{"name":"first","image":"busybox:1.36"}]""");
        var debugged = (JsonObject)old.DeepClone();
        debugged["spec"]!["ephemeralContainers"]!.AsArray().Insert(0, JsonNode.Parse("""{"name":"second","image":"busybox:1.36"}"""));

        var response = await WebhookFactory.ReviewAsync(_client, "/mutate", Reviews.Of(debugged, "UPDATE", oldObject: old, subResource: "ephemeralcontainers"));

        var paths = PatchOf(response)!.Select(op => op!["path"]!.GetValue<string>()).ToList();
        Assert.NotEmpty(paths);
        Assert.All(paths, p => Assert.StartsWith("/spec/ephemeralContainers/0/", p, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Mutate_WithoutAMutatingPolicy_ChangesNothing()
    {
        using var plain = new WebhookFactory();

        var response = await WebhookFactory.ReviewAsync(plain.CreateClient(), "/mutate", Reviews.Of(Reviews.Pod()));

        Assert.True(response["allowed"]!.GetValue<bool>());
        Assert.Null(response["patch"]);
    }

    [Fact]
    public async Task Mutate_ExemptNamespace_ChangesNothing()
    {
        var response = await WebhookFactory.ReviewAsync(_client, "/mutate", Reviews.Of(Reviews.Pod(), @namespace: "kube-system"));

        Assert.Null(response["patch"]);
    }

    [Theory]
    [InlineData("pod-create-mutating.json")]
    [InlineData("pod-create-generatename-mutating.json")]
    [InlineData("job-create-mutating.json")]
    [InlineData("daemonset-create-mutating.json")]
    public async Task Mutate_RealMutatingSamples_PatchesApplyAndPassValidation(string sample)
    {
        var review = Reviews.SampleNode(sample);
        var obj = review["request"]!["object"]!.AsObject();

        var response = await WebhookFactory.ReviewAsync(_client, "/mutate", review.ToJsonString());

        var mutated = JsonPatchApplier.Apply(obj, PatchOf(response) ?? []);
        review["request"]!["object"] = mutated;
        var verdict = await WebhookFactory.ReviewAsync(_client, "/validate", review.ToJsonString());
        // Mutation fills gaps but never overrides: a DaemonSet that asks for runAsUser 0 and hostPath stays denied,
        // and gets no pod-level runAsNonRoot, which would stop its root container from starting.
        if (sample.StartsWith("daemonset", StringComparison.Ordinal))
        {
            Assert.False(verdict["allowed"]!.GetValue<bool>());
            Assert.Null(mutated["spec"]!["template"]!["spec"]!["securityContext"]?["runAsNonRoot"]);
        }
        else
        {
            Assert.True(verdict["allowed"]!.GetValue<bool>(), verdict.ToJsonString());
        }
    }
}
