namespace PolicyWebhook.Engine.Tests.Checks;

public sealed class WindowsHostProcessCheckTests : CheckTestBase
{
    protected override string CheckId => "windowsHostProcess";

    [Fact]
    public void Evaluate_HostProcess_NamesFieldAndFix() =>
        AssertViolations(
            "fail/host-process.yaml",
            ("spec.containers[0].securityContext.windowsOptions.hostProcess", "container \"app\" must not set securityContext.windowsOptions.hostProcess=true"));
}
