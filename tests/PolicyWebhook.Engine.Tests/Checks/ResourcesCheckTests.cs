using k8s.Models;
using PolicyWebhook.Engine.Checks;

namespace PolicyWebhook.Engine.Tests.Checks;

public sealed class ResourcesCheckTests : CheckTestBase
{
    protected override string CheckId => "resources";

    [Fact]
    public void Evaluate_SidecarMissing_OneFindingListsEveryMissingEntry() =>
        AssertViolations(
            "fail/sidecar-missing.yaml",
            ("spec.initContainers[0].resources.requests.cpu", "init container \"proxy\" must set resources.requests.cpu, requests.memory, limits.memory"));

    [Fact]
    public void Evaluate_AboveMaximum_NamesTheLimit()
    {
        var options = new ResourcesOptions([], new Dictionary<string, ResourceQuantity> { ["limits.memory"] = new("200Mi"), ["requests.cpu"] = new("1") });
        var result = new PolicyEvaluator([TestPolicies.OnlyCheck("resources", options)])
            .Evaluate(TestPolicies.ReadObject(System.IO.Path.Combine(FixtureFolder, "pass", "requests-and-limits.yaml")))!;

        var violation = Assert.Single(result.Violations);
        Assert.Equal("spec.containers[0].resources.limits.memory", violation.Path);
        Assert.Equal("container \"app\" must not set resources.limits.memory above 200Mi", violation.Message);
        Assert.Equal("256Mi", violation.Found);
    }

    [Fact]
    public void Evaluate_SomeEntriesSet_ListsOnlyTheMissingOnes() =>
        AssertViolations(
            "fail/partial.yaml",
            ("spec.containers[0].resources.requests.memory", "container \"app\" must set resources.requests.memory, limits.memory"));
}
