using PolicyWebhook.Engine.Checks;

namespace PolicyWebhook.Engine.Tests.Checks;

public sealed class ProcMountCheckTests : CheckTestBase
{
    private static readonly PodCheck Parameters = ProcMountCheck.With(["Unmasked"]);

    protected override string CheckId => "procMount";

    [Fact]
    public void Evaluate_Unmasked_NamesFieldAndFix() =>
        AssertViolations(
            "fail/unmasked.yaml",
            ("spec.containers[0].securityContext.procMount", "container \"app\" must not set securityContext.procMount=Unmasked"));

    [Fact]
    public void Evaluate_UserNamespaceAtV1Dot34_NamesFieldAndFix() =>
        AssertViolationsAt(
            "fail/user-namespace-before-v1.35.yaml",
            "v1.34",
            ("spec.containers[0].securityContext.procMount", "container \"app\" must not set securityContext.procMount=Unmasked"));

    [Fact]
    public void With_AllowedTypes_GiveTheirFixturesVerdicts() => AssertParameterFixtures("parameters", Parameters);

    [Fact]
    public void With_DefaultAndUnmasked_AllowsUnmasked() =>
        Assert.Empty(ViolationsWith(ProcMountCheck.With(["Default", "Unmasked"]), "parameters/pass/unmasked.yaml"));

    [Fact]
    public void With_TypeNotListed_NamesTypeAndTheAllowedOnes() =>
        AssertViolationsWith(
            Parameters,
            "parameters/fail/explicit-default.yaml",
            ("spec.containers[0].securityContext.procMount", "container \"app\" must not set securityContext.procMount=Default (allowed: Unmasked)"));
}
