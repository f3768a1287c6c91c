namespace PolicyWebhook.Engine.Tests.Checks;

public sealed class AppArmorProfileCheckTests : CheckTestBase
{
    protected override string CheckId => "appArmorProfile";

    [Fact]
    public void Evaluate_UnconfinedAnnotation_NamesFieldAndFix() =>
        AssertViolations(
            "fail/unconfined-annotation.yaml",
            ("metadata.annotations[container.apparmor.security.beta.kubernetes.io/app]", "annotation container.apparmor.security.beta.kubernetes.io/app must not set AppArmor profile \"unconfined\""));
}
