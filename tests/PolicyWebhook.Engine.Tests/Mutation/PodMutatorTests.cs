using System.Text.Json.Nodes;
using PolicyWebhook.Engine.Checks;
using PolicyWebhook.Engine.Mutation;
using PolicyWebhook.Engine.Workloads;

namespace PolicyWebhook.Engine.Tests.Mutation;

public sealed class PodMutatorTests
{
    private static readonly MutationDefaults Everything = MutationDefaults.From(
        MutationDefaults.FieldNames.ToList(),
        new Dictionary<string, string> { ["cpu"] = "100m", ["memory"] = "128Mi" },
        new Dictionary<string, string> { ["memory"] = "256Mi" });

    private const string BarePod = """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"shop"},
         "spec":{"containers":[{"name":"app","image":"registry.example.com/web:1.2.3"}],
                 "initContainers":[{"name":"init","image":"registry.example.com/init:1.0"}]}}
        """;

    private static JsonObject Mutated(string json, MutationDefaults defaults, string kind = "Pod")
    {
        var obj = JsonNode.Parse(json)!.AsObject();
        Assert.True(PodSpecLocator.TryFindSpec(obj, kind, out var spec));
        PodMutator.Apply(spec, defaults);
        return obj;
    }

    [Fact]
    public void Apply_BarePod_ThenPassesRestrictedWithResourcesAndReadOnlyRoot()
    {
        var policy = new CompiledPolicy(
            TestPolicies.Reference,
            new PodSecuritySettings(PssLevel.Restricted, PssVersion.Latest, PolicyMode.Enforce),
            [
                new ConfiguredCheck("resources", PolicyMode.Enforce, CheckRegistry.Default.Get<ResourcesCheck>().Bind(ResourcesOptions.Default)),
                new ConfiguredCheck("readOnlyRootFilesystem", PolicyMode.Enforce, CheckRegistry.Default.Get<ReadOnlyRootFilesystemCheck>().Bind(ReadOnlyRootFilesystemOptions.Default)),
            ],
            PolicyMatch.All,
            PolicyExclusions.None);
        var evaluator = new PolicyEvaluator([policy]);
        Assert.NotEmpty(evaluator.Evaluate(WorkloadDecoder.Decode("Pod", BarePod))!.Violations);

        var mutated = Mutated(BarePod, Everything);

        var result = evaluator.Evaluate(WorkloadDecoder.Decode("Pod", mutated.ToJsonString()))!;
        Assert.Empty(result.Violations);
    }

    [Fact]
    public void Apply_UserNamespacePod_GetsNoRunAsNonRoot_AndStillPassesRestrictedLatest()
    {
        var userNamespace = BarePod.Replace("\"spec\":{", "\"spec\":{\"hostUsers\":false,", StringComparison.Ordinal);
        var policy = new CompiledPolicy(TestPolicies.Reference, new PodSecuritySettings(PssLevel.Restricted, PssVersion.Latest, PolicyMode.Enforce), [], PolicyMatch.All, PolicyExclusions.None);

        var mutated = Mutated(userNamespace, Everything);

        // Root in a user namespace is not the node's root: an image that runs as root must still start.
        Assert.DoesNotContain("runAsNonRoot", mutated.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal("RuntimeDefault", (string?)mutated["spec"]!["securityContext"]!["seccompProfile"]!["type"]);
        Assert.Empty(new PolicyEvaluator([policy]).Evaluate(WorkloadDecoder.Decode("Pod", mutated.ToJsonString()))!.Violations);
    }

    [Fact]
    public void Apply_Twice_SecondTimeChangesNothing()
    {
        var once = Mutated(BarePod, Everything);
        Assert.True(PodSpecLocator.TryFindSpec(once, "Pod", out var spec));
        var before = once.DeepClone();

        Assert.False(PodMutator.Apply(spec, Everything));
        Assert.Empty(JsonPatchDiff.Diff(before, once));
    }

    [Fact]
    public void Apply_ValuesTheUserSet_AreNeverOverridden()
    {
        const string pod = """
            {"spec":{"securityContext":{"runAsNonRoot":false,"seccompProfile":{"type":"Unconfined"}},
             "containers":[{"name":"app","image":"x:1","securityContext":{"allowPrivilegeEscalation":true,"readOnlyRootFilesystem":false,
               "capabilities":{"add":["NET_ADMIN"],"drop":["NET_RAW"]}},"resources":{"requests":{"cpu":"2"},"limits":{"cpu":"3"}}}]}}
            """;

        var mutated = Mutated(pod, Everything);

        var context = mutated["spec"]!["containers"]![0]!["securityContext"]!;
        Assert.False((bool)mutated["spec"]!["securityContext"]!["runAsNonRoot"]!);
        Assert.Equal("Unconfined", (string)mutated["spec"]!["securityContext"]!["seccompProfile"]!["type"]!);
        Assert.True((bool)context["allowPrivilegeEscalation"]!);
        Assert.False((bool)context["readOnlyRootFilesystem"]!);
        Assert.Equal("""["NET_RAW","ALL"]""", context["capabilities"]!["drop"]!.ToJsonString());
        Assert.Equal("""["NET_ADMIN"]""", context["capabilities"]!["add"]!.ToJsonString());
        Assert.Equal("""{"cpu":"2","memory":"128Mi"}""", mutated["spec"]!["containers"]![0]!["resources"]!["requests"]!.ToJsonString());
    }

    [Fact]
    public void Apply_RequestAboveDefaultLimit_LeavesTheLimitOut()
    {
        const string pod = """{"spec":{"containers":[{"name":"app","image":"x:1","resources":{"requests":{"memory":"1Gi"}}}]}}""";

        var resources = Mutated(pod, Everything)["spec"]!["containers"]![0]!["resources"]!;

        Assert.Null(resources["limits"]);
    }

    [Fact]
    public void Apply_LimitWithoutRequest_LeavesTheRequestToTheApiServer()
    {
        const string pod = """{"spec":{"containers":[{"name":"app","image":"x:1","resources":{"limits":{"cpu":"50m"}}}]}}""";

        var requests = Mutated(pod, Everything)["spec"]!["containers"]![0]!["resources"]!["requests"]!;

        Assert.Equal("""{"memory":"128Mi"}""", requests.ToJsonString());
    }

    [Fact]
    public void Apply_PrivilegedContainer_GetsNoAllowPrivilegeEscalation()
    {
        const string pod = """{"spec":{"containers":[{"name":"app","image":"x:1","securityContext":{"privileged":true}}]}}""";

        var context = Mutated(pod, Everything)["spec"]!["containers"]![0]!["securityContext"]!;

        Assert.Null(context["allowPrivilegeEscalation"]);
        Assert.True((bool)context["readOnlyRootFilesystem"]!);
    }

    [Fact]
    public void Apply_WindowsPod_GetsOnlyWhatWindowsAccepts()
    {
        const string pod = """{"spec":{"os":{"name":"windows"},"containers":[{"name":"app","image":"x:1"}]}}""";

        var mutated = Mutated(pod, Everything);

        Assert.Equal("""{"runAsNonRoot":true}""", mutated["spec"]!["securityContext"]!.ToJsonString());
        Assert.Null(mutated["spec"]!["containers"]![0]!["securityContext"]);
        Assert.NotNull(mutated["spec"]!["containers"]![0]!["resources"]);
    }

    [Fact]
    public void Apply_PodRunningAsRoot_GetsNoRunAsNonRoot()
    {
        const string pod = """{"spec":{"securityContext":{"runAsUser":0},"containers":[{"name":"app","image":"x:1"}]}}""";

        Assert.Null(Mutated(pod, Everything)["spec"]!["securityContext"]!["runAsNonRoot"]);
    }

    [Fact]
    public void Apply_EphemeralScope_TouchesOnlyEphemeralContainersAndNoResources()
    {
        const string pod = """
            {"spec":{"containers":[{"name":"app","image":"x:1"}],
             "ephemeralContainers":[{"name":"debugger","image":"busybox:1.36"}]}}
            """;
        var obj = JsonNode.Parse(pod)!.AsObject();
        Assert.True(PodSpecLocator.TryFindSpec(obj, "Pod", out var spec));

        Assert.True(PodMutator.Apply(spec, Everything, MutationScope.EphemeralContainers));

        Assert.Null(obj["spec"]!["securityContext"]);
        Assert.Equal("""{"name":"app","image":"x:1"}""", obj["spec"]!["containers"]![0]!.ToJsonString());
        var debugger = obj["spec"]!["ephemeralContainers"]![0]!.AsObject();
        Assert.Null(debugger["resources"]);
        Assert.True((bool)debugger["securityContext"]!["runAsNonRoot"]!);
        Assert.Equal("RuntimeDefault", (string)debugger["securityContext"]!["seccompProfile"]!["type"]!);
    }

    [Fact]
    public void Apply_CronJob_FindsTheTemplateThreeLevelsDown()
    {
        const string cronJob = """{"spec":{"jobTemplate":{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"x:1"}]}}}}}}""";

        var mutated = Mutated(cronJob, Everything, "CronJob");

        Assert.True((bool)mutated["spec"]!["jobTemplate"]!["spec"]!["template"]!["spec"]!["securityContext"]!["runAsNonRoot"]!);
    }

    [Fact]
    public void Apply_OnlySeccomp_AddsOnlySeccomp()
    {
        var defaults = MutationDefaults.From(["seccompProfile"], null, null);

        var mutated = Mutated(BarePod, defaults);

        Assert.Equal("""{"seccompProfile":{"type":"RuntimeDefault"}}""", mutated["spec"]!["securityContext"]!.ToJsonString());
        Assert.Null(mutated["spec"]!["containers"]![0]!["securityContext"]);
    }

    [Fact]
    public void Apply_ContainerAskingForRoot_GetsNoPodLevelRunAsNonRoot()
    {
        const string pod = """
            {"spec":{"initContainers":[{"name":"chown","image":"x:1","securityContext":{"runAsUser":0}}],
             "containers":[{"name":"app","image":"x:1"}]}}
            """;

        var mutated = Mutated(pod, Everything);

        Assert.Null(mutated["spec"]!["securityContext"]!["runAsNonRoot"]);
        Assert.Equal("RuntimeDefault", (string)mutated["spec"]!["securityContext"]!["seccompProfile"]!["type"]!);
    }

    [Theory]
    [InlineData("SYS_ADMIN")]
    [InlineData("CAP_SYS_ADMIN")]
    public void Apply_ContainerAddingSysAdmin_GetsNoAllowPrivilegeEscalation(string capability)
    {
        var pod = """{"spec":{"containers":[{"name":"app","image":"x:1","securityContext":{"capabilities":{"add":["CAP"]}}}]}}""".Replace("CAP", capability, StringComparison.Ordinal);

        var context = Mutated(pod, Everything)["spec"]!["containers"]![0]!["securityContext"]!;

        Assert.Null(context["allowPrivilegeEscalation"]);
    }
}
