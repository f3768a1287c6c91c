namespace PolicyWebhook.Engine.Tests.Checks;

public sealed class RunAsUserCheckTests : CheckTestBase
{
    protected override string CheckId => "runAsUser";

    [Fact]
    public void Evaluate_PodRoot_NamesFieldAndFix() =>
        AssertViolations(
            "fail/pod-root.yaml",
            ("spec.securityContext.runAsUser", "pod must not set securityContext.runAsUser=0"));
}
