namespace PolicyWebhook.Engine.Tests.Checks;

public sealed class HostPathVolumesCheckTests : CheckTestBase
{
    protected override string CheckId => "hostPathVolumes";

    [Fact]
    public void Evaluate_HostPath_NamesFieldAndFix() =>
        AssertViolations(
            "fail/host-path.yaml",
            ("spec.volumes[0].hostPath", "volume \"logs\" must not use hostPath"));
}
