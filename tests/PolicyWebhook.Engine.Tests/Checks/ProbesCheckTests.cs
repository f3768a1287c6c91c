using PolicyWebhook.Engine.Checks;

namespace PolicyWebhook.Engine.Tests.Checks;

public sealed class ProbesCheckTests : CheckTestBase
{
    protected override string CheckId => "probes";

    [Fact]
    public void Evaluate_DeploymentWithoutReadiness_NamesFieldAndFix() =>
        AssertViolations(
            "fail/deployment-no-readiness.yaml",
            ("spec.template.spec.containers[0].readinessProbe", "container \"web\" must set readinessProbe: it runs until stopped"));

    [Fact]
    public void Evaluate_StartupRequired_NamesEachMissingProbe() =>
        AssertViolationsWith(
            CheckRegistry.Default.Get<ProbesCheck>().Bind(new ProbesOptions(["startupProbe"])),
            "pass/both.yaml",
            ("spec.containers[0].startupProbe", "container \"app\" must set startupProbe: it runs until stopped"));
}
