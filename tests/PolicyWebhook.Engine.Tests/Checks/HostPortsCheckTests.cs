using PolicyWebhook.Engine.Checks;

namespace PolicyWebhook.Engine.Tests.Checks;

public sealed class HostPortsCheckTests : CheckTestBase
{
    private static readonly PodCheck Ranges = HostPortsCheck.With(new HostPortsOptions([new PortRange(8000, 9000), new PortRange(53, 53)]));

    protected override string CheckId => "hostPorts";

    [Fact]
    public void Evaluate_HostPort_NamesFieldAndFix() =>
        AssertViolations(
            "fail/host-port.yaml",
            ("spec.containers[0].ports[0].hostPort", "container \"app\" must not set hostPort=8080"));

    [Fact]
    public void With_AllowedRanges_GiveTheirFixturesVerdicts() => AssertParameterFixtures("ranges", Ranges);

    [Fact]
    public void With_PortOutsideRanges_NamesPortAndRanges() =>
        AssertViolationsWith(
            Ranges,
            "ranges/fail/out-of-range.yaml",
            ("spec.containers[0].ports[1].hostPort", "container \"app\" sets hostPort=80, outside the allowed ranges 8000-9000, 53"));

    [Fact]
    public void With_NoRanges_JudgesAsTheStandard() =>
        AssertViolationsWith(
            HostPortsCheck.With(new HostPortsOptions([])),
            "fail/host-port.yaml",
            ("spec.containers[0].ports[0].hostPort", "container \"app\" must not set hostPort=8080"));
}
