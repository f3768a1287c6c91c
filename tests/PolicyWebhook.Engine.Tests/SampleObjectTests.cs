using System.Text.Json;
using PolicyWebhook.Engine.Workloads;

namespace PolicyWebhook.Engine.Tests;

/// <summary>
/// The objects inside AdmissionReview bodies captured from a real kube-apiserver (see Samples/PROVENANCE.md) decode
/// into the model types and unwrap to the right pod spec, with the fields the API server adds.
/// </summary>
public sealed class SampleObjectTests
{
    private static readonly string Folder = RepoPaths.Of("tests", "PolicyWebhook.Engine.Tests", "Samples");

    public static TheoryData<string> SamplesWithObjects() =>
        [.. Directory.GetFiles(Folder, "*.json").Select(f => Path.GetFileName(f)).Where(f => !f.StartsWith("pod-delete", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];

    private static (string Kind, ObjectBox Object) Decode(string file)
    {
        using var review = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, file)));
        var request = review.RootElement.GetProperty("request");
        var kind = request.GetProperty("kind").GetProperty("kind").GetString()!;
        return (kind, new ObjectBox(WorkloadDecoder.Decode(kind, request.GetProperty("object").GetRawText())));
    }

    private static EvaluationResult EvaluateBaselineAndSecrets(string file) =>
        new PolicyEvaluator([TestPolicies.Standard(PssLevel.Baseline, PssVersion.Latest), TestPolicies.OnlyCheck("inlineSecrets")])
            .Evaluate(Decode(file).Object.Value, new EvaluationContext("default"))!;

    [Theory]
    [MemberData(nameof(SamplesWithObjects))]
    public void Decode_RealRequestObject_UnwrapsToItsPodSpec(string file)
    {
        var (kind, obj) = Decode(file);

        Assert.True(PodSpecLocator.TryLocate(obj.Value, "default", out var target));
        Assert.Equal(kind, target.Kind);
        Assert.Equal("samples", target.Namespace);
        Assert.NotEmpty(target.Spec.Containers);
    }

    [Fact]
    public void Evaluate_EnvPasswordSample_FindsItWithoutRepeatingIt()
    {
        var result = EvaluateBaselineAndSecrets("pod-env-password-create.json");

        var violation = Assert.Single(result.Violations, v => v.Check == "inlineSecrets");
        Assert.StartsWith("spec.containers[0].env[", violation.Path, StringComparison.Ordinal);
        Assert.DoesNotContain(result.Violations, v => (v.Message + v.Found + v.Path).Contains("hunter2", StringComparison.Ordinal));
    }

    [Fact]
    public void Evaluate_PrivilegedHostNetworkSample_DeniesBothAtTheirFields()
    {
        var result = EvaluateBaselineAndSecrets("pod-privileged-hostnetwork-create.json");

        Assert.False(result.Allowed);
        Assert.Contains(result.Violations, v => v.Check == "privileged" && v.Path.EndsWith("securityContext.privileged", StringComparison.Ordinal));
        Assert.Contains(result.Violations, v => v.Check == "hostNamespaces" && v.Path == "spec.hostNetwork");
    }

    [Fact]
    public void Evaluate_EphemeralContainerWithNetAdmin_NamesTheDebugContainer()
    {
        var result = EvaluateBaselineAndSecrets("pod-ephemeralcontainers-update-patch.json");

        Assert.Equal(
            [
                ("spec.ephemeralContainers[0].securityContext.capabilities.add", "ephemeral container \"debugger-2\" must not add capability \"NET_ADMIN\""),
                ("spec.ephemeralContainers[1].securityContext.capabilities.add", "ephemeral container \"debugger\" must not add capability \"SYS_PTRACE\""),
            ],
            result.Violations.Where(v => v.Check == "capabilities_baseline").Select(v => (v.Path, v.Message)));
    }

    [Fact]
    public void Evaluate_CronJobSample_PathsStartAtTheJobTemplate()
    {
        var result = new PolicyEvaluator([TestPolicies.OnlyCheck("readOnlyRootFilesystem")]).Evaluate(Decode("cronjob-create.json").Object.Value)!;

        Assert.All(result.Violations, v => Assert.StartsWith("spec.jobTemplate.spec.template.spec.", v.Path, StringComparison.Ordinal));
    }

    /// <summary>Wraps the decoded object so xunit does not try to format the model type in theory names.</summary>
    private sealed record ObjectBox(k8s.IKubernetesObject<k8s.Models.V1ObjectMeta> Value);
}
