using PolicyWebhook.Engine.Checks;

namespace PolicyWebhook.Engine.Tests.Checks;

public sealed class HostNamespacesCheckTests : CheckTestBase
{
    private static readonly PodCheck HostNetwork = HostNamespacesCheck.With(new HostNamespacesOptions(AllowHostNetwork: true));

    protected override string CheckId => "hostNamespaces";

    [Fact]
    public void Evaluate_HostPidIpc_NamesFieldAndFix() =>
        AssertViolations(
            "fail/host-pid-ipc.yaml",
            ("spec.hostPID", "pod must not set hostPID=true"),
            ("spec.hostIPC", "pod must not set hostIPC=true"));

    [Fact]
    public void With_HostNetworkAllowed_GivesItsFixturesVerdicts() => AssertParameterFixtures("hostNetwork", HostNetwork);

    [Fact]
    public void With_HostNetworkAllowed_StillRefusesHostPid() =>
        AssertViolationsWith(HostNetwork, "hostNetwork/fail/host-pid.yaml", ("spec.hostPID", "pod must not set hostPID=true"));

    [Fact]
    public void With_HostNetworkNotAllowed_RefusesHostNetwork() =>
        AssertViolationsWith(
            HostNamespacesCheck.With(new HostNamespacesOptions(AllowHostNetwork: false)),
            "fail/host-network.yaml",
            ("spec.hostNetwork", "pod must not set hostNetwork=true"));
}
