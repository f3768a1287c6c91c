using PolicyWebhook.Engine.Checks;

namespace PolicyWebhook.Engine.Tests.Checks;

public sealed class RuntimeSocketsCheckTests : CheckTestBase
{
    protected override string CheckId => "runtimeSockets";

    [Fact]
    public void Evaluate_DockerSock_NamesFieldAndFix() =>
        AssertViolations(
            "fail/docker-sock.yaml",
            ("spec.volumes[0].hostPath.path", "volume \"docker\" must not mount the container runtime socket (/var/run/docker.sock)"));

    [Fact]
    public void Evaluate_AdditionalPath_IsRefusedToo()
    {
        var result = new PolicyEvaluator([TestPolicies.OnlyCheck("runtimeSockets", new RuntimeSocketsOptions(["/var/log/app/"]))])
            .Evaluate(TestPolicies.ReadObject(System.IO.Path.Combine(FixtureFolder, "pass", "ordinary-host-path.yaml")))!;

        Assert.Equal(
            "volume \"logs\" must not mount a host path this policy forbids (/var/log/app)",
            Assert.Single(result.Violations).Message);
    }

    [Fact]
    public void Evaluate_HostRoot_SaysRootFilesystem() =>
        AssertViolations(
            "fail/host-root.yaml",
            ("spec.volumes[0].hostPath.path", "volume \"host\" must not mount the host's root filesystem (/)"));
}
