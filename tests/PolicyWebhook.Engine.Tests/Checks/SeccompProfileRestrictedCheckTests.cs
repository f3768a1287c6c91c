using PolicyWebhook.Engine.Checks;

namespace PolicyWebhook.Engine.Tests.Checks;

public sealed class SeccompProfileRestrictedCheckTests : CheckTestBase
{
    private static readonly PodCheck Parameters = SeccompProfileBaselineCheck.With(new AllowedProfiles(["RuntimeDefault", "localhost/profiles/*"]), requireSet: true);

    protected override string CheckId => "seccompProfile_restricted";

    [Fact]
    public void Evaluate_Unset_NamesFieldAndFix() =>
        AssertViolations(
            "fail/unset.yaml",
            ("spec.containers[0].securityContext.seccompProfile.type", "container \"app\" must set securityContext.seccompProfile.type=RuntimeDefault (or Localhost)"));

    [Fact]
    public void Evaluate_NoContainerSetsIt_SaysItOnceAtPodLevel() =>
        AssertViolations(
            "fail/no-container-sets-it.yaml",
            ("spec.securityContext.seccompProfile.type", "pod must set securityContext.seccompProfile.type=RuntimeDefault (or Localhost) once, or on each of the 3 containers"));

    [Fact]
    public void With_AllowedProfilesAndRequiredSet_GiveTheirFixturesVerdicts() => AssertParameterFixtures("parameters", Parameters);

    [Fact]
    public void With_Unset_AsksTheContainerForAnAllowedProfile() =>
        AssertViolationsWith(
            Parameters,
            "parameters/fail/unset.yaml",
            ("spec.containers[0].securityContext.seccompProfile.type", "container \"app\" must set seccompProfile (or the pod must), one of \"RuntimeDefault\", \"localhost/profiles/*\""));
}
