namespace PolicyWebhook.Engine.Tests.Checks;

public sealed class HostProbesAndHostLifecycleCheckTests : CheckTestBase
{
    protected override string CheckId => "hostProbesAndHostLifecycle";

    [Fact]
    public void Evaluate_ProbeHost_NamesFieldAndFix() =>
        AssertViolations(
            "fail/probe-host.yaml",
            ("spec.containers[0].livenessProbe.httpGet.host", "container \"app\" must not set livenessProbe.httpGet.host=169.254.169.254"));
}
