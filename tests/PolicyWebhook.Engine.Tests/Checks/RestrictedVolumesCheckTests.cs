namespace PolicyWebhook.Engine.Tests.Checks;

public sealed class RestrictedVolumesCheckTests : CheckTestBase
{
    protected override string CheckId => "restrictedVolumes";

    [Fact]
    public void Evaluate_Nfs_NamesFieldAndFix() =>
        AssertViolations(
            "fail/nfs.yaml",
            ("spec.volumes[0].nfs", "volume \"share\" must not use volume type nfs"));
}
