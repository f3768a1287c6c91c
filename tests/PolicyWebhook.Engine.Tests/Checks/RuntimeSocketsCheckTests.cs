namespace PolicyWebhook.Engine.Tests.Checks;

public sealed class RuntimeSocketsCheckTests : CheckTestBase
{
    protected override string CheckId => "runtimeSockets";

    [Fact]
    public void Evaluate_DockerSock_NamesFieldAndFix() =>
        AssertViolations(
            "fail/docker-sock.yaml",
            ("spec.volumes[0].hostPath.path", "volume \"docker\" must not mount the container runtime socket (/var/run/docker.sock)"));
}
