namespace PolicyWebhook.Engine.Tests.Checks;

public sealed class ProcMountCheckTests : CheckTestBase
{
    protected override string CheckId => "procMount";

    [Fact]
    public void Evaluate_Unmasked_NamesFieldAndFix() =>
        AssertViolations(
            "fail/unmasked.yaml",
            ("spec.containers[0].securityContext.procMount", "container \"app\" must not set securityContext.procMount=Unmasked"));

    [Fact]
    public void Evaluate_UserNamespaceAtV1Dot34_NamesFieldAndFix() =>
        AssertViolationsAt(
            "fail/user-namespace-before-v1.35.yaml",
            "v1.34",
            ("spec.containers[0].securityContext.procMount", "container \"app\" must not set securityContext.procMount=Unmasked"));
}
