using PolicyWebhook.Engine.Checks;

namespace PolicyWebhook.Engine.Tests.Checks;

public sealed class CapabilitiesRestrictedCheckTests : CheckTestBase
{
    private static readonly PodCheck Parameters = CapabilitiesRestrictedCheck.With(new CapabilitiesOptions(["NET_ADMIN"], null));

    protected override string CheckId => "capabilities_restricted";

    [Fact]
    public void Evaluate_AddChown_NamesFieldAndFix() =>
        AssertViolations(
            "fail/add-chown.yaml",
            ("spec.containers[0].securityContext.capabilities.add", "container \"app\" must not add capability \"CHOWN\""));

    [Fact]
    public void Evaluate_NoDrop_NamesFieldAndFix() =>
        AssertViolations(
            "fail/no-drop.yaml",
            ("spec.containers[0].securityContext.capabilities.drop", "container \"app\" must set securityContext.capabilities.drop=[\"ALL\"]"));

    [Fact]
    public void With_AllowedReplacingNetBindService_GivesItsFixturesVerdicts() => AssertParameterFixtures("parameters", Parameters);

    [Fact]
    public void With_NoRequiredDrop_StillRequiresAll() =>
        AssertViolationsWith(
            Parameters,
            "parameters/fail/drop-one.yaml",
            ("spec.containers[0].securityContext.capabilities.drop", "container \"app\" must drop capability \"ALL\""));

    [Fact]
    public void With_WindowsBeforeV1Dot25_IsJudged() =>
        Assert.Equal(2, ViolationsWith(CapabilitiesRestrictedCheck.With(new CapabilitiesOptions(null, null), exemptWindows: false), "parameters/pass/windows.yaml").Count);
}
