using System.Text.Json.Nodes;

namespace PolicyWebhook.Host.Tests;

public sealed class ValidateEndpointTests : IClassFixture<WebhookFactoryFixture>
{
    private readonly HttpClient _client;

    public ValidateEndpointTests(WebhookFactoryFixture fixture) => _client = fixture.Default.CreateClient();

    public static TheoryData<string> SampleNames => [.. RepoPaths.Samples().Select(p => Path.GetFileName(p))];

    [Theory]
    [MemberData(nameof(SampleNames))]
    public async Task Validate_EveryRealSample_AnswersAWellFormedReviewWithItsUid(string sample)
    {
        var response = await WebhookFactory.ReviewAsync(_client, "/validate", Reviews.Sample(sample));

        var allowed = response["allowed"]!.GetValue<bool>();
        if (!allowed)
        {
            Assert.Equal(403, response["status"]!["code"]!.GetValue<int>());
            Assert.Equal("Forbidden", response["status"]!["reason"]!.GetValue<string>());
            Assert.Contains("violates ClusterPolicy \"default\":\n- ", response["status"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Validate_PrivilegedHostNetworkPod_IsDeniedNamingEveryViolation()
    {
        var response = await WebhookFactory.ReviewAsync(_client, "/validate", Reviews.Sample("pod-privileged-hostnetwork-create.json"));

        Assert.False(response["allowed"]!.GetValue<bool>());
        var message = response["status"]!["message"]!.GetValue<string>();
        Assert.StartsWith("Pod \"node-debug\" violates ClusterPolicy \"default\":\n- hostNamespaces (pod must not set hostNetwork=true at spec.hostNetwork)\n- ", message, StringComparison.Ordinal);
        Assert.Contains("\n- privileged (container \"shell\" must not set securityContext.privileged=true at spec.containers[0].securityContext.privileged)\n", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_DeploymentTemplate_NamesTheFieldPathAsWritten()
    {
        var deployment = JsonNode.Parse("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"api","namespace":"shop"},
             "spec":{"selector":{"matchLabels":{"app":"api"}},"template":{"metadata":{"labels":{"app":"api"}},
               "spec":{"containers":[{"name":"app","image":"registry.example.com/api:2.0","securityContext":{"privileged":true}}]}}}}
            """)!.AsObject();

        var response = await WebhookFactory.ReviewAsync(_client, "/validate", Reviews.Of(deployment));

        Assert.Contains("at spec.template.spec.containers[0].securityContext.privileged", response["status"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_CompliantPod_IsAllowedWithoutWarnings()
    {
        var response = await WebhookFactory.ReviewAsync(_client, "/validate", Reviews.Of(Reviews.CompliantPod()));

        Assert.True(response["allowed"]!.GetValue<bool>());
        Assert.Null(response["status"]);
        Assert.Null(response["warnings"]);
    }

    [Fact]
    public async Task Validate_UpdateThatLeavesThePodSpecAlone_IsAllowedEvenWhenTheSpecViolates()
    {
        var old = Reviews.Pod();
        var labelled = (JsonObject)old.DeepClone();
        labelled["metadata"]!["labels"]!["tier"] = "frontend";
        labelled["metadata"]!["finalizers"] = new JsonArray("example.com/cleanup");

        var response = await WebhookFactory.ReviewAsync(_client, "/validate", Reviews.Of(labelled, "UPDATE", oldObject: old));

        Assert.True(response["allowed"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Validate_AnnotationOnlyUpdateOfAPod_IsAllowed()
    {
        var old = Reviews.Pod();
        var annotated = (JsonObject)old.DeepClone();
        annotated["metadata"]!["annotations"] = new JsonObject { ["controller.kubernetes.io/pod-deletion-cost"] = "100" };

        var response = await WebhookFactory.ReviewAsync(_client, "/validate", Reviews.Of(annotated, "UPDATE", oldObject: old));

        Assert.True(response["allowed"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Validate_TemplateAppArmorAnnotationChange_IsChecked()
    {
        var deployment = JsonNode.Parse("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"api","namespace":"shop"},
             "spec":{"template":{"metadata":{"annotations":{}},"spec":{"containers":[{"name":"app","image":"registry.example.com/api:2.0"}]}}}}
            """)!.AsObject();
        var changed = (JsonObject)deployment.DeepClone();
        changed["spec"]!["template"]!["metadata"]!["annotations"]!["container.apparmor.security.beta.kubernetes.io/app"] = "unconfined";
        var relabelled = (JsonObject)deployment.DeepClone();
        relabelled["spec"]!["template"]!["metadata"]!["annotations"]!["example.com/owner"] = "team-a";

        var apparmor = await WebhookFactory.ReviewAsync(_client, "/validate", Reviews.Of(changed, "UPDATE", oldObject: deployment));
        var other = await WebhookFactory.ReviewAsync(_client, "/validate", Reviews.Of(relabelled, "UPDATE", oldObject: deployment));

        Assert.False(apparmor["allowed"]!.GetValue<bool>());
        Assert.True(other["allowed"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Validate_UpdateThatChangesTheImage_IsChecked()
    {
        var old = Reviews.CompliantPod();
        var changed = (JsonObject)old.DeepClone();
        changed["spec"]!["containers"]![0]!["image"] = "registry.example.com/web:latest";

        var response = await WebhookFactory.ReviewAsync(_client, "/validate", Reviews.Of(changed, "UPDATE", oldObject: old));

        Assert.False(response["allowed"]!.GetValue<bool>());
        Assert.Contains("imageTags", response["status"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_KubectlDebug_IsJudgedOnTheAddedContainerOnly()
    {
        var response = await WebhookFactory.ReviewAsync(_client, "/validate", Reviews.Sample("pod-ephemeralcontainers-update.json"));

        Assert.False(response["allowed"]!.GetValue<bool>());
        var message = response["status"]!["message"]!.GetValue<string>();
        Assert.Contains("container \"debugger\"", message, StringComparison.Ordinal);
        Assert.Contains("spec.ephemeralContainers[0]", message, StringComparison.Ordinal);
        Assert.DoesNotContain("spec.containers[", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_KubectlDebugWithACompliantContainer_IsAllowed()
    {
        var pod = Reviews.Pod();
        var debugged = (JsonObject)pod.DeepClone();
        debugged["spec"]!["ephemeralContainers"] = JsonNode.Parse("""
            [{"name":"debugger","image":"registry.example.com/busybox:1.36","securityContext":{"runAsNonRoot":true,"allowPrivilegeEscalation":false,
              "readOnlyRootFilesystem":true,"capabilities":{"drop":["ALL"]},"seccompProfile":{"type":"RuntimeDefault"}}}]
            """);

        var response = await WebhookFactory.ReviewAsync(_client, "/validate", Reviews.Of(debugged, "UPDATE", oldObject: pod, subResource: "ephemeralcontainers"));

        Assert.True(response["allowed"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("pod-delete.json")]
    [InlineData("pod-delete-last-call.json")]
    [InlineData("pod-delete-graceful.json")]
    public async Task Validate_Delete_IsAllowedEveryTimeItArrives(string sample)
    {
        for (var round = 0; round < 3; round++)
        {
            var response = await WebhookFactory.ReviewAsync(_client, "/validate", Reviews.Sample(sample));
            Assert.True(response["allowed"]!.GetValue<bool>());
        }
    }

    [Fact]
    public async Task Validate_DryRun_GetsTheSameVerdict()
    {
        var review = Reviews.SampleNode("pod-privileged-hostnetwork-create.json");
        var real = await WebhookFactory.ReviewAsync(_client, "/validate", review.ToJsonString());
        review["request"]!["dryRun"] = true;

        var dry = await WebhookFactory.ReviewAsync(_client, "/validate", review.ToJsonString());

        Assert.Equal(real["allowed"]!.GetValue<bool>(), dry["allowed"]!.GetValue<bool>());
        Assert.Equal(real["status"]!["message"]!.GetValue<string>(), dry["status"]!["message"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("kube-system")]
    [InlineData("policy-webhook")]
    public async Task Validate_ExemptNamespace_IsAllowed(string ns)
    {
        var response = await WebhookFactory.ReviewAsync(_client, "/validate", Reviews.Of(Reviews.Pod(), @namespace: ns));

        Assert.True(response["allowed"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Validate_KindWithoutPodSpec_IsAllowedUntouched()
    {
        var configMap = JsonNode.Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"password":"x"}}""")!.AsObject();

        var response = await WebhookFactory.ReviewAsync(_client, "/validate", Reviews.Of(configMap));

        Assert.True(response["allowed"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Validate_V1Beta1Review_IsAnsweredInV1Beta1()
    {
        var review = JsonNode.Parse(Reviews.Of(Reviews.CompliantPod()))!;
        review["apiVersion"] = "admission.k8s.io/v1beta1";

        var response = await WebhookFactory.ReviewAsync(_client, "/validate", review.ToJsonString());

        Assert.True(response["allowed"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Validate_WrongFormInAFieldNoCheckReads_IsJudgedOnWhatTheChecksRead()
    {
        var pod = Reviews.CompliantPod();
        pod["spec"]!["tolerations"] = 5;

        var response = await WebhookFactory.ReviewAsync(_client, "/validate", Reviews.Of(pod));

        Assert.True(response["allowed"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("/validate")]
    [InlineData("/mutate")]
    public async Task Review_QuantityWithAHugeExponent_IsAnsweredUnparsed(string path)
    {
        // The client library computes 10^9999 exactly (over a second; 1e99999 takes minutes): refused unparsed.
        var pod = Reviews.CompliantPod();
        pod["spec"]!["containers"]![0]!["resources"] = JsonNode.Parse("""{"limits":{"example.com/widget":"1e9999"}}""");

        var response = await WebhookFactory.ReviewAsync(_client, path, Reviews.Of(pod));

        if (path == "/validate")
        {
            Assert.False(response["allowed"]!.GetValue<bool>());
            Assert.Equal(400, response["status"]!["code"]!.GetValue<int>());
        }
        else
        {
            // The mutating webhook changes nothing it cannot read; the validating one refuses it.
            Assert.True(response["allowed"]!.GetValue<bool>());
            Assert.Null(response["patch"]);
        }
    }

    [Fact]
    public async Task Validate_ObjectThatDoesNotFitItsKind_IsDeniedWithCode400SayingWhere()
    {
        var pod = Reviews.Pod();
        pod["spec"]!["containers"]![0]!["ports"] = JsonNode.Parse("""[{"containerPort":"eighty"}]""");

        var response = await WebhookFactory.ReviewAsync(_client, "/validate", Reviews.Of(pod));

        Assert.False(response["allowed"]!.GetValue<bool>());
        Assert.Equal(400, response["status"]!["code"]!.GetValue<int>());
        Assert.Equal(
            "Pod \"web\" could not be read: it does not fit the Pod schema at spec.containers[0].ports[0].containerPort: wrong type: expected a number",
            response["status"]!["message"]!.GetValue<string>());
    }
}

/// <summary>One in-memory webhook with the built-in default policy, shared by a test class.</summary>
public sealed class WebhookFactoryFixture : IDisposable
{
    public WebhookFactory Default { get; } = new();

    public void Dispose() => Default.Dispose();
}
