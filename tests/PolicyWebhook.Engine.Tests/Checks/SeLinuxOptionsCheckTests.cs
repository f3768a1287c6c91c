using PolicyWebhook.Engine.Checks;

namespace PolicyWebhook.Engine.Tests.Checks;

public sealed class SeLinuxOptionsCheckTests : CheckTestBase
{
    private static readonly PodCheck Parameters = SeLinuxOptionsCheck.With([new SeLinuxOptionSet(null, null, "container_t", "s0:c123,c456"), new SeLinuxOptionSet(null, null, "container_init_t", null)]);

    protected override string CheckId => "seLinuxOptions";

    [Fact]
    public void Evaluate_SpcT_NamesFieldAndFix() =>
        AssertViolations(
            "fail/spc-t.yaml",
            ("spec.containers[0].securityContext.seLinuxOptions.type", "container \"app\" must not set securityContext.seLinuxOptions.type=spc_t"));

    [Fact]
    public void With_AllowedSets_GiveTheirFixturesVerdicts() => AssertParameterFixtures("parameters", Parameters);

    [Fact]
    public void With_OtherLevel_NamesOptionsAndTheAllowedSets() =>
        AssertViolationsWith(
            Parameters,
            "parameters/fail/other-level.yaml",
            ("spec.securityContext.seLinuxOptions", "pod must not set seLinuxOptions {type: container_t, level: s0:c1,c2} (allowed: {type: container_t, level: s0:c123,c456}, {type: container_init_t})"));
}
