using PolicyWebhook.Engine.Checks;

namespace PolicyWebhook.Engine.Tests.Checks;

public sealed class RestrictedVolumesCheckTests : CheckTestBase
{
    private static readonly PodCheck Parameters = RestrictedVolumesCheck.With(new VolumesOptions(["configMap", "nfs", "flexVolume"], ["example.com/lvm"]));

    protected override string CheckId => "restrictedVolumes";

    [Fact]
    public void Evaluate_Nfs_NamesFieldAndFix() =>
        AssertViolations(
            "fail/nfs.yaml",
            ("spec.volumes[0].nfs", "volume \"share\" must not use volume type nfs"));

    [Fact]
    public void With_TypesAndDrivers_GiveTheirFixturesVerdicts() => AssertParameterFixtures("parameters", Parameters);

    [Fact]
    public void With_TypeNotListed_NamesTypeAndTheAllowedOnes() =>
        AssertViolationsWith(
            Parameters,
            "parameters/fail/secret-not-listed.yaml",
            ("spec.volumes[0].secret", "volume \"token\" must not use volume type secret (allowed: configMap, flexVolume, nfs)"));

    [Fact]
    public void With_FlexDriverNotListed_NamesDriver() =>
        AssertViolationsWith(
            Parameters,
            "parameters/fail/flex-other-driver.yaml",
            ("spec.volumes[0].flexVolume.driver", "volume \"cifs\" must not use flexVolume driver \"example.com/cifs\" (allowed: \"example.com/lvm\")"));

    [Fact]
    public void With_AllTypes_AllowsHostPath() =>
        Assert.Empty(ViolationsWith(RestrictedVolumesCheck.With(new VolumesOptions(["*"], null)), "parameters/fail/host-path.yaml"));

    [Fact]
    public void With_NoTypes_KeepsTheStandardList() =>
        Assert.Empty(ViolationsWith(RestrictedVolumesCheck.With(new VolumesOptions(null, null)), "parameters/fail/secret-not-listed.yaml"));
}
