namespace PolicyWebhook.Engine.Tests.Checks;

public sealed class ResourcesCheckTests : CheckTestBase
{
    protected override string CheckId => "resources";

    [Fact]
    public void Evaluate_SidecarMissing_NamesFieldAndFix() =>
        AssertViolations(
            "fail/sidecar-missing.yaml",
            ("spec.initContainers[0].resources.requests.cpu", "init container \"proxy\" must set resources.requests.cpu"),
            ("spec.initContainers[0].resources.requests.memory", "init container \"proxy\" must set resources.requests.memory"),
            ("spec.initContainers[0].resources.limits.memory", "init container \"proxy\" must set resources.limits.memory"));
}
