namespace PolicyWebhook.Engine.Tests;

/// <summary>Every pod controller is checked at its pod template, and paths name fields in the object as written.</summary>
public sealed class WorkloadTests
{
    private const string Template = """
        template:
          metadata:
            labels: {app: web}
          spec:
            containers:
            - name: app
              image: registry.example.com/app:1.0
            - name: sidecar
              image: registry.example.com/sidecar:1.0
              securityContext:
                runAsNonRoot: true
        """;

    public static TheoryData<string, string, string> Workloads() => new()
    {
        { "apps/v1", "Deployment", "spec.template.spec" },
        { "apps/v1", "ReplicaSet", "spec.template.spec" },
        { "apps/v1", "StatefulSet", "spec.template.spec" },
        { "apps/v1", "DaemonSet", "spec.template.spec" },
        { "batch/v1", "Job", "spec.template.spec" },
        { "v1", "ReplicationController", "spec.template.spec" },
        { "batch/v1", "CronJob", "spec.jobTemplate.spec.template.spec" },
        { "v1", "PodTemplate", "template.spec" },
    };

    [Theory]
    [MemberData(nameof(Workloads))]
    public void Evaluate_PodController_ChecksTheTemplateAtItsPath(string apiVersion, string kind, string specPath)
    {
        var yaml = $"apiVersion: {apiVersion}\nkind: {kind}\nmetadata:\n  name: web\n  namespace: shop\n" + Wrap(kind);
        var result = new PolicyEvaluator([TestPolicies.OnlyCheck("runAsNonRoot")]).Evaluate(TestPolicies.ParseObject(yaml))!;

        var violation = Assert.Single(result.Violations);
        Assert.Equal(kind, result.Kind);
        Assert.Equal("shop", result.Namespace);
        Assert.Equal($"{specPath}.containers[0].securityContext.runAsNonRoot", violation.Path);
        Assert.Equal(
            $"{kind} \"web\" violates ClusterPolicy \"test\": runAsNonRoot (container \"app\" must set securityContext.runAsNonRoot=true at {specPath}.containers[0].securityContext.runAsNonRoot)",
            VerdictText.Summary(result));
    }

    [Fact]
    public void Evaluate_NullContainerEntries_AreSkippedNotACrash()
    {
        var pod = PolicyWebhook.Engine.Workloads.WorkloadDecoder.Decode("Pod", """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
             "spec":{"containers":[null,{"name":"app","image":"x:1","securityContext":{"privileged":true}}],"initContainers":[null],"ephemeralContainers":[null]}}
            """);

        var result = new PolicyEvaluator([TestPolicies.Standard(PssLevel.Baseline, PssVersion.Latest)]).Evaluate(pod)!;

        Assert.Equal("spec.containers[1].securityContext.privileged", Assert.Single(result.Violations).Path);
    }

    [Fact]
    public void Evaluate_NullsWhereObjectsBelong_AreSkippedByEveryCheck()
    {
        var pod = PolicyWebhook.Engine.Workloads.WorkloadDecoder.Decode("Pod", """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"a":null},"annotations":{"b":null}},
             "spec":{"securityContext":{"sysctls":[null]},"volumes":[null],"hostAliases":[null],"tolerations":[null],
              "containers":[{"name":"app","image":"x:1","ports":[null],"env":[null],"envFrom":[null],"args":[null],"command":[null],
                "volumeMounts":[null],"securityContext":{"capabilities":{"add":[null],"drop":[null]}}}]}}
            """);
        var every = new PolicyEvaluator(
        [
            TestPolicies.Standard(PssLevel.Restricted, PssVersion.Latest),
            .. new[] { "resources", "readOnlyRootFilesystem", "imageRegistries", "imageTags", "inlineSecrets", "runtimeSockets" }.Select(id => TestPolicies.OnlyCheck(id)),
        ]);

        var result = every.Evaluate(pod)!;

        Assert.NotEmpty(result.Violations);
        Assert.Empty(((k8s.Models.V1Pod)pod).Spec.Containers[0].Ports!);
    }

    [Fact]
    public void Evaluate_ObjectWithoutPodSpec_IsNotEvaluated()
    {
        var service = TestPolicies.ParseObject("apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n  - port: 80\n");
        Assert.Null(new PolicyEvaluator([TestPolicies.OnlyCheck("runAsNonRoot")]).Evaluate(service));
    }

    private static string Wrap(string kind)
    {
        var template = string.Join('\n', Template.Split('\n').Select(l => "  " + l));
        return kind switch
        {
            "PodTemplate" => Template + "\n",
            "CronJob" => "spec:\n  schedule: \"@daily\"\n  jobTemplate:\n    spec:\n" + string.Join('\n', Template.Split('\n').Select(l => "      " + l)) + "\n",
            // A ReplicationController's selector is a plain label map; the others take a LabelSelector.
            "ReplicationController" => "spec:\n  selector: {app: web}\n" + template + "\n",
            _ => "spec:\n  selector:\n    matchLabels: {app: web}\n" + template + "\n",
        };
    }
}
