using PolicyWebhook.Engine.Checks;

namespace PolicyWebhook.Engine.Tests.Checks;

public sealed class HostPathVolumesCheckTests : CheckTestBase
{
    private static readonly PodCheck Allowed = HostPathVolumesCheck.With(new HostPathVolumesOptions(
        [new AllowedHostPath("/var/log", ReadOnly: true), new AllowedHostPath("/srv/data/", ReadOnly: false)]));

    protected override string CheckId => "hostPathVolumes";

    [Fact]
    public void Evaluate_HostPath_NamesFieldAndFix() =>
        AssertViolations(
            "fail/host-path.yaml",
            ("spec.volumes[0].hostPath", "volume \"logs\" must not use hostPath"));

    [Fact]
    public void With_AllowedPrefixes_GiveTheirFixturesVerdicts() => AssertParameterFixtures("allowed", Allowed);

    [Fact]
    public void With_DotDot_JudgesTheNormalisedPath() =>
        AssertViolationsWith(
            Allowed,
            "allowed/fail/dot-dot-escapes.yaml",
            ("spec.volumes[0].hostPath.path", "volume \"logs\" hostPath \"/var/log/../../etc\" (that is \"/etc\") is outside the allowed prefixes \"/var/log\", \"/srv/data\""));

    [Fact]
    public void With_ReadOnlyPrefix_NamesEachWritableMount() =>
        AssertViolationsWith(
            Allowed,
            "allowed/fail/read-only-prefix-mounted-writable.yaml",
            ("spec.containers[0].volumeMounts[0].readOnly", "container \"app\" must mount hostPath volume \"logs\" with readOnly=true (\"/var/log\" is allowed read-only)"));

    [Theory]
    [InlineData("/var/log/../../etc", "/etc")]
    [InlineData("//var//log/./app/", "/var/log/app")]
    [InlineData("/..", "/")]
    [InlineData("var/log", "")]
    public void Normalize_Path_ResolvesDotsAndSlashes(string path, string expected) =>
        Assert.Equal(expected, HostPathVolumesCheck.Normalize(path));
}
