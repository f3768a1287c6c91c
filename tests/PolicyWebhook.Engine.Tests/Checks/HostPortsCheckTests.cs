namespace PolicyWebhook.Engine.Tests.Checks;

public sealed class HostPortsCheckTests : CheckTestBase
{
    protected override string CheckId => "hostPorts";

    [Fact]
    public void Evaluate_HostPort_NamesFieldAndFix() =>
        AssertViolations(
            "fail/host-port.yaml",
            ("spec.containers[0].ports[0].hostPort", "container \"app\" must not set hostPort=8080"));
}
