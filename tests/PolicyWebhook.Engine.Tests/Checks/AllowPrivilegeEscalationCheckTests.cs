namespace PolicyWebhook.Engine.Tests.Checks;

public sealed class AllowPrivilegeEscalationCheckTests : CheckTestBase
{
    protected override string CheckId => "allowPrivilegeEscalation";

    [Fact]
    public void Evaluate_Unset_NamesFieldAndFix() =>
        AssertViolations(
            "fail/unset.yaml",
            ("spec.containers[0].securityContext.allowPrivilegeEscalation", "container \"app\" must set securityContext.allowPrivilegeEscalation=false"));
}
