using PolicyWebhook.Engine.Checks;
using PolicyWebhook.Engine.Images;

namespace PolicyWebhook.Engine.Tests.Checks;

public sealed class ImageRegistriesCheckTests : CheckTestBase
{
    private static readonly PodCheck Repositories = CheckRegistry.Default.Get<ImageRegistriesCheck>().Bind(new ImageRegistriesOptions(
        [],
        AllowedRepositories: ["docker.io/library/*", "ghcr.io/acme/*", "registry.example.com/app:1.0"],
        DeniedRepositories: ["ubuntu"]));

    protected override string CheckId => "imageRegistries";

    [Fact]
    public void Evaluate_DockerHub_NamesFieldAndFix() =>
        AssertViolations(
            "fail/docker-hub.yaml",
            ("spec.containers[0].image", "container \"app\" image \"nginx:1.27\" must come from an allowed registry, not \"docker.io\""));

    [Fact]
    public void Repositories_AllowAndDenyGlobs_GiveTheirFixturesVerdicts() => AssertParameterFixtures("repositories", Repositories);

    [Fact]
    public void Repositories_NoneMatches_NamesNormalisedImageAndPatterns() =>
        AssertViolationsWith(
            Repositories,
            "repositories/fail/other-org.yaml",
            ("spec.containers[0].image", "container \"app\" image \"ghcr.io/acme-evil/api:2.1\" matches no allowed repository \"docker.io/library/*\", \"ghcr.io/acme/*\", \"registry.example.com/app:1.0\""));

    [Fact]
    public void Repositories_Denied_NamesThePattern() =>
        AssertViolationsWith(
            Repositories,
            "repositories/fail/denied.yaml",
            ("spec.containers[0].image", "container \"app\" image \"docker.io/library/ubuntu:24.04\" matches the denied repository \"docker.io/library/ubuntu\""));

    [Fact]
    public void Repositories_WithRegistries_BothApply() =>
        Assert.Equal(
            2,
            ViolationsWith(
                CheckRegistry.Default.Get<ImageRegistriesCheck>().Bind(new ImageRegistriesOptions(["ghcr.io"], AllowedRepositories: ["ghcr.io/acme/*"])),
                "repositories/pass/bare-name.yaml").Count);

    [Theory]
    [InlineData("nginx", "docker.io/library/nginx")]
    [InlineData("index.docker.io/bitnami/redis:7", "docker.io/bitnami/redis:7")]
    [InlineData("ghcr.io/acme/api@sha256:abc", "ghcr.io/acme/api@sha256:abc")]
    public void ImageReference_ToString_IsTheNormalisedReference(string image, string expected) =>
        Assert.Equal(expected, ImageReference.Parse(image).ToString());
}
