namespace PolicyWebhook.Engine.Tests.Checks;

public sealed class HostNamespacesCheckTests : CheckTestBase
{
    protected override string CheckId => "hostNamespaces";

    [Fact]
    public void Evaluate_HostPidIpc_NamesFieldAndFix() =>
        AssertViolations(
            "fail/host-pid-ipc.yaml",
            ("spec.hostPID", "pod must not set hostPID=true"),
            ("spec.hostIPC", "pod must not set hostIPC=true"));
}
