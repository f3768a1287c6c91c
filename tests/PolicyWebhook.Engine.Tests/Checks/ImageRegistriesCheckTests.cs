namespace PolicyWebhook.Engine.Tests.Checks;

public sealed class ImageRegistriesCheckTests : CheckTestBase
{
    protected override string CheckId => "imageRegistries";

    [Fact]
    public void Evaluate_DockerHub_NamesFieldAndFix() =>
        AssertViolations(
            "fail/docker-hub.yaml",
            ("spec.containers[0].image", "container \"app\" image \"nginx:1.27\" must come from an allowed registry, not \"docker.io\""));
}
