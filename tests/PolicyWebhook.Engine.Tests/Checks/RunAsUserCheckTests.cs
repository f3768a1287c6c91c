namespace PolicyWebhook.Engine.Tests.Checks;

public sealed class RunAsUserCheckTests : CheckTestBase
{
    protected override string CheckId => "runAsUser";

    [Fact]
    public void Evaluate_PodRoot_NamesFieldAndFix() =>
        AssertViolations(
            "fail/pod-root.yaml",
            ("spec.securityContext.runAsUser", "pod must not set securityContext.runAsUser=0"));

    [Fact]
    public void Evaluate_HostUsersRoot_StillNamesFieldAndFix() =>
        AssertViolations(
            "fail/host-users-root.yaml",
            ("spec.containers[0].securityContext.runAsUser", "container \"app\" must not set securityContext.runAsUser=0"));

    [Fact]
    public void Evaluate_UserNamespaceRootAtV1Dot34_NamesFieldAndFix() =>
        AssertViolationsAt(
            "fail/user-namespace-root-before-v1.35.yaml",
            "v1.34",
            ("spec.securityContext.runAsUser", "pod must not set securityContext.runAsUser=0"));
}
