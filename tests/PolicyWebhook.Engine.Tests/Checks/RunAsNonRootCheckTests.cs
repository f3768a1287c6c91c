namespace PolicyWebhook.Engine.Tests.Checks;

public sealed class RunAsNonRootCheckTests : CheckTestBase
{
    protected override string CheckId => "runAsNonRoot";

    [Fact]
    public void Evaluate_Unset_NamesFieldAndFix() =>
        AssertViolations(
            "fail/unset.yaml",
            ("spec.template.spec.containers[0].securityContext.runAsNonRoot", "container \"app\" must set securityContext.runAsNonRoot=true"));

    [Fact]
    public void Evaluate_ContainerFalse_NamesFieldAndFix() =>
        AssertViolations(
            "fail/container-false.yaml",
            ("spec.containers[0].securityContext.runAsNonRoot", "container \"app\" must not set securityContext.runAsNonRoot=false"));

    [Fact]
    public void Evaluate_HostUsersRoot_StillNamesFieldAndFix() =>
        AssertViolations(
            "fail/host-users-root.yaml",
            ("spec.containers[0].securityContext.runAsNonRoot", "container \"app\" must set securityContext.runAsNonRoot=true"));

    [Fact]
    public void Evaluate_UserNamespaceAtV1Dot34_NamesFieldAndFix() =>
        AssertViolationsAt(
            "fail/user-namespace-root-before-v1.35.yaml",
            "v1.34",
            ("spec.containers[0].securityContext.runAsNonRoot", "container \"app\" must set securityContext.runAsNonRoot=true"));

    [Fact]
    public void Evaluate_NoContainerSetsIt_SaysItOnceAtPodLevel() =>
        AssertViolations(
            "fail/no-container-sets-it.yaml",
            ("spec.securityContext.runAsNonRoot", "pod must set securityContext.runAsNonRoot=true once, or on each of the 3 containers"));

    [Fact]
    public void Evaluate_OneContainerSetsIt_NamesOnlyTheOthers() =>
        AssertViolations(
            "fail/one-container-sets-it.yaml",
            ("spec.containers[1].securityContext.runAsNonRoot", "container \"proxy\" must set securityContext.runAsNonRoot=true"));
}
