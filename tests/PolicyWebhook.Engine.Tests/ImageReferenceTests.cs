using PolicyWebhook.Engine.Images;

namespace PolicyWebhook.Engine.Tests;

public sealed class ImageReferenceTests
{
    [Theory]
    [InlineData("nginx", "docker.io", "nginx", null, null)]
    [InlineData("nginx:1.27", "docker.io", "nginx", "1.27", null)]
    [InlineData("library/nginx:1.27", "docker.io", "library/nginx", "1.27", null)]
    [InlineData("bitnami/redis", "docker.io", "bitnami/redis", null, null)]
    [InlineData("index.docker.io/library/nginx:1", "docker.io", "library/nginx", "1", null)]
    [InlineData("ghcr.io/org/app:v2", "ghcr.io", "org/app", "v2", null)]
    [InlineData("localhost:5000/app", "localhost:5000", "app", null, null)]
    [InlineData("localhost/app:dev", "localhost", "app", "dev", null)]
    [InlineData("Registry.Example.com/app@sha256:abc", "registry.example.com", "app", null, "sha256:abc")]
    [InlineData("registry.example.com:443/team/app:1.0@sha256:abc", "registry.example.com", "team/app", "1.0", "sha256:abc")] // HTTPS's own port: the same registry
    [InlineData("registry.example.com:5443/team/app", "registry.example.com:5443", "team/app", null, null)]
    public void Parse_Reference_SplitsLikeTheRuntime(string image, string registry, string repository, string? tag, string? digest) =>
        Assert.Equal(new ImageReference(registry, repository, tag, digest), ImageReference.Parse(image));
}

public sealed class RepositoryPatternTests
{
    [Theory]
    [InlineData("Registry.Example.com/shop/*", "registry.example.com/shop/*")]
    [InlineData("registry.example.com:443/shop/*", "registry.example.com/shop/*")]
    [InlineData("index.docker.io/library/*", "docker.io/library/*")]
    [InlineData("*/shop/*", "*/shop/*")]
    [InlineData("nginx", "docker.io/library/nginx")]
    public void NormalizePattern_RegistryHostOfAGlob_IsNormalisedAsAnImagesIs(string pattern, string normalised) =>
        Assert.Equal(normalised, PolicyWebhook.Engine.Checks.ImageRegistriesCheck.NormalizePattern(pattern));
}
