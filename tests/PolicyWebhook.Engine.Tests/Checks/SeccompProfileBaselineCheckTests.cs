using PolicyWebhook.Engine.Checks;

namespace PolicyWebhook.Engine.Tests.Checks;

public sealed class SeccompProfileBaselineCheckTests : CheckTestBase
{
    private static readonly PodCheck Parameters = SeccompProfileBaselineCheck.With(new AllowedProfiles(["RuntimeDefault", "localhost/profiles/audit.json"]), requireSet: false);

    protected override string CheckId => "seccompProfile_baseline";

    [Fact]
    public void Evaluate_Unconfined_NamesFieldAndFix() =>
        AssertViolations(
            "fail/unconfined.yaml",
            ("spec.containers[0].securityContext.seccompProfile.type", "container \"app\" must not set securityContext.seccompProfile.type=Unconfined"));

    [Fact]
    public void With_AllowedProfiles_GiveTheirFixturesVerdicts() => AssertParameterFixtures("parameters", Parameters);

    [Fact]
    public void With_OtherLocalhostProfile_NamesProfileAndTheAllowedOnes() =>
        AssertViolationsWith(
            Parameters,
            "parameters/fail/other-localhost.yaml",
            ("spec.securityContext.seccompProfile", "pod must not use seccompProfile \"localhost/profiles/other.json\" (allowed: \"RuntimeDefault\", \"localhost/profiles/audit.json\")"));

    [Fact]
    public void With_LocalhostType_AllowsEveryLocalProfile() =>
        Assert.Empty(ViolationsWith(SeccompProfileBaselineCheck.With(new AllowedProfiles(["Localhost"]), requireSet: false), "parameters/fail/other-localhost.yaml"));
}
