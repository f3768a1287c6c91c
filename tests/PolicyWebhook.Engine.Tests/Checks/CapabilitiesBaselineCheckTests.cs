using PolicyWebhook.Engine.Checks;

namespace PolicyWebhook.Engine.Tests.Checks;

public sealed class CapabilitiesBaselineCheckTests : CheckTestBase
{
    private static readonly PodCheck Parameters = CapabilitiesBaselineCheck.With(new CapabilitiesOptions(["NET_ADMIN"], ["NET_RAW"]));

    protected override string CheckId => "capabilities_baseline";

    [Fact]
    public void Evaluate_NetAdmin_NamesFieldAndFix() =>
        AssertViolations(
            "fail/net-admin.yaml",
            ("spec.containers[0].securityContext.capabilities.add", "container \"app\" must not add capabilities \"NET_ADMIN\", \"SYS_TIME\""));

    [Fact]
    public void With_AllowedAndRequiredDrop_GiveTheirFixturesVerdicts() => AssertParameterFixtures("parameters", Parameters);

    [Fact]
    public void With_NotAllowed_NamesCapabilityAndTheAllowedOnes() =>
        AssertViolationsWith(
            Parameters,
            "parameters/fail/sys-admin.yaml",
            ("spec.containers[0].securityContext.capabilities.add", "container \"app\" must not add capability \"SYS_ADMIN\" (allowed: \"NET_ADMIN\")"));

    [Fact]
    public void With_RequiredDropMissing_NamesTheCapability() =>
        AssertViolationsWith(
            Parameters,
            "parameters/fail/no-drop.yaml",
            ("spec.containers[0].securityContext.capabilities.drop", "container \"app\" must drop capability \"NET_RAW\""));

    [Fact]
    public void With_AnyAllowed_AcceptsEveryAddedCapability() =>
        Assert.Empty(ViolationsWith(CapabilitiesBaselineCheck.With(new CapabilitiesOptions(["*"], null)), "parameters/fail/sys-admin.yaml"));

    [Fact]
    public void With_AddedInRuntimeSpelling_IsRefusedAsTheStandardRefusesIt() =>
        AssertViolationsWith(
            CapabilitiesBaselineCheck.With(new CapabilitiesOptions(["cap_net_admin"], null)),
            "parameters/fail/add-runtime-spelling.yaml",
            ("spec.containers[0].securityContext.capabilities.add", "container \"app\" must not add capability \"cap_net_admin\" (allowed: \"NET_ADMIN\")"));

    [Theory]
    [InlineData("cap_net_raw", "NET_RAW")]
    [InlineData("CAP_SYS_ADMIN", "SYS_ADMIN")]
    [InlineData("all", "ALL")]
    public void Normalize_Capability_AsTheRuntimeReadsIt(string name, string expected) =>
        Assert.Equal(expected, CapabilitiesBaselineCheck.Normalize(name));
}
