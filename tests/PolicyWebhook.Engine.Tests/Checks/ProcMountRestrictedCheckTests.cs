namespace PolicyWebhook.Engine.Tests.Checks;

public sealed class ProcMountRestrictedCheckTests : CheckTestBase
{
    protected override string CheckId => "procMount_restricted";

    [Fact]
    public void Evaluate_UserNamespace_NamesFieldAndFix() =>
        AssertViolations(
            "fail/user-namespace.yaml",
            ("spec.containers[0].securityContext.procMount", "container \"app\" must not set securityContext.procMount=Unmasked"));
}
