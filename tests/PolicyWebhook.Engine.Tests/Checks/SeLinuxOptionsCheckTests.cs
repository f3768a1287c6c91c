namespace PolicyWebhook.Engine.Tests.Checks;

public sealed class SeLinuxOptionsCheckTests : CheckTestBase
{
    protected override string CheckId => "seLinuxOptions";

    [Fact]
    public void Evaluate_SpcT_NamesFieldAndFix() =>
        AssertViolations(
            "fail/spc-t.yaml",
            ("spec.containers[0].securityContext.seLinuxOptions.type", "container \"app\" must not set securityContext.seLinuxOptions.type=spc_t"));
}
