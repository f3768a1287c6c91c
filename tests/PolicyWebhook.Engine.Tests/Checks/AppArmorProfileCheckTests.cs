using PolicyWebhook.Engine.Checks;

namespace PolicyWebhook.Engine.Tests.Checks;

public sealed class AppArmorProfileCheckTests : CheckTestBase
{
    private static readonly PodCheck Parameters = AppArmorProfileCheck.With(new AllowedProfiles(["RuntimeDefault", "localhost/k8s-deny-write"]));

    protected override string CheckId => "appArmorProfile";

    [Fact]
    public void Evaluate_UnconfinedAnnotation_NamesFieldAndFix() =>
        AssertViolations(
            "fail/unconfined-annotation.yaml",
            ("metadata.annotations[container.apparmor.security.beta.kubernetes.io/app]", "annotation container.apparmor.security.beta.kubernetes.io/app must not set AppArmor profile \"unconfined\""));

    [Fact]
    public void With_AllowedProfiles_GiveTheirFixturesVerdicts() => AssertParameterFixtures("parameters", Parameters);

    [Fact]
    public void With_AnyProfile_StillJudgesTheAnnotationAsTheStandard() =>
        AssertViolationsWith(
            AppArmorProfileCheck.With(new AllowedProfiles(["*"])),
            "parameters/fail/annotation-unconfined.yaml",
            ("metadata.annotations[container.apparmor.security.beta.kubernetes.io/app]", "annotation container.apparmor.security.beta.kubernetes.io/app must not set AppArmor profile \"unconfined\""));
}
