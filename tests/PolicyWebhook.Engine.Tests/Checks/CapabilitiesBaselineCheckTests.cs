namespace PolicyWebhook.Engine.Tests.Checks;

public sealed class CapabilitiesBaselineCheckTests : CheckTestBase
{
    protected override string CheckId => "capabilities_baseline";

    [Fact]
    public void Evaluate_NetAdmin_NamesFieldAndFix() =>
        AssertViolations(
            "fail/net-admin.yaml",
            ("spec.containers[0].securityContext.capabilities.add", "container \"app\" must not add capabilities \"NET_ADMIN\", \"SYS_TIME\""));
}
