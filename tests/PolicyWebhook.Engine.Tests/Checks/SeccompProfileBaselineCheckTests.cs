namespace PolicyWebhook.Engine.Tests.Checks;

public sealed class SeccompProfileBaselineCheckTests : CheckTestBase
{
    protected override string CheckId => "seccompProfile_baseline";

    [Fact]
    public void Evaluate_Unconfined_NamesFieldAndFix() =>
        AssertViolations(
            "fail/unconfined.yaml",
            ("spec.containers[0].securityContext.seccompProfile.type", "container \"app\" must not set securityContext.seccompProfile.type=Unconfined"));
}
