namespace PolicyWebhook.Engine.Tests.Checks;

public sealed class AutomountServiceAccountTokenCheckTests : CheckTestBase
{
    protected override string CheckId => "automountServiceAccountToken";

    [Fact]
    public void Evaluate_Unset_NamesFieldAndFix() =>
        AssertViolations(
            "fail/unset.yaml",
            ("spec.automountServiceAccountToken", "pod must set automountServiceAccountToken=false, not unset (a projected serviceAccountToken volume asks for a token)"));

    [Fact]
    public void Evaluate_DeploymentTrue_NamesTheTemplateField() =>
        AssertViolations(
            "fail/true.yaml",
            ("spec.template.spec.automountServiceAccountToken", "pod must set automountServiceAccountToken=false, not true (a projected serviceAccountToken volume asks for a token)"));
}
