namespace PolicyWebhook.Engine.Tests.Checks;

public sealed class PrivilegedCheckTests : CheckTestBase
{
    protected override string CheckId => "privileged";

    [Fact]
    public void Evaluate_InitContainer_NamesFieldAndFix() =>
        AssertViolations(
            "fail/init-container.yaml",
            ("spec.template.spec.initContainers[0].securityContext.privileged", "init container \"setup\" must not set securityContext.privileged=true"));
}
