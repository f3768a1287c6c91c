namespace PolicyWebhook.Engine.Tests.Checks;

public sealed class ProcMountCheckTests : CheckTestBase
{
    protected override string CheckId => "procMount";

    [Fact]
    public void Evaluate_Unmasked_NamesFieldAndFix() =>
        AssertViolations(
            "fail/unmasked.yaml",
            ("spec.containers[0].securityContext.procMount", "container \"app\" must not set securityContext.procMount=Unmasked"));
}
