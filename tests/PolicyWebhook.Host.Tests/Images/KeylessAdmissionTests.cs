using System.Text.Json.Nodes;
using PolicyWebhook.Tests.Shared;

namespace PolicyWebhook.Host.Tests.Images;

/// <summary>
/// Keylessly signed images through /validate and /mutate, against Debian's docker-registry: images of the test's own
/// pushed there, signed by a test Sigstore (its Fulcio CA and Rekor log, trusted through a trusted_root.json in the
/// folder the chart mounts) in both formats cosign writes: a legacy .sig tag, and a Sigstore bundle referrer.
/// </summary>
public sealed class KeylessAdmissionTests(RegistryServer registry) : IClassFixture<RegistryServer>, IDisposable
{
    private const string Dev = "https://github.com/example/app/.github/workflows/ci.yml@refs/heads/dev";

    private readonly TestSigstore _sigstore = new();
    private readonly string _roots = Directory.CreateTempSubdirectory("policywebhook-roots-").FullName;

    public void Dispose()
    {
        _sigstore.Dispose();
        Directory.Delete(_roots, recursive: true);
    }

    private ImageWebhook Start()
    {
        File.WriteAllBytes(Path.Combine(_roots, "test-sigstore.json"), _sigstore.TrustedRootJson);
        return ImageWebhook.StartWithEntries(
            [registry.Host],
            $"""
            - name: release
              images: ["{registry.Host}/keyless/*"]
              keyless:
                - issuer: {TestSigstore.DefaultIssuer}
                  subject: {TestSigstore.DefaultSubject}
            """,
            new Dictionary<string, string?> { ["ImageVerification:TrustedRootsDirectory"] = _roots });
    }

    private Task<(string Image, string Digest)> LegacySignedAsync(string repository, TestSigning? signing = null) =>
        KeylessImages.PushLegacySignedAsync(_sigstore, registry.Host, repository, signing);

    private Task<(string Image, string Digest)> BundleSignedAsync(string repository) =>
        KeylessImages.PushBundleSignedAsync(_sigstore, registry.Host, repository);

    [Theory]
    [InlineData("legacy .sig tag")]
    [InlineData("bundle referrer")]
    public async Task Validate_KeylessSignatureOfTheReleaseWorkflow_IsAdmittedAndPinned(string format)
    {
        var (image, digest) = format == "bundle referrer"
            ? await BundleSignedAsync("keyless/bundle")
            : await LegacySignedAsync("keyless/legacy");
        using var webhook = Start();

        var validated = await webhook.ReviewAsync(ImageWebhook.PodReview(image));
        var mutated = await webhook.ReviewAsync(ImageWebhook.PodReview(image), path: "/mutate");

        Assert.True(validated.Allowed(), validated.ToJsonString());
        var patch = JsonNode.Parse(Convert.FromBase64String(mutated["patch"]!.GetValue<string>()))!.AsArray();
        Assert.Equal($"{image}@{digest}", Assert.Single(patch)!["value"]!.GetValue<string>());
    }

    [Fact]
    public async Task Validate_SignedByAnotherWorkflow_IsDeniedNamingWhoSigned()
    {
        var (image, digest) = await LegacySignedAsync("keyless/dev", new TestSigning { Subject = Dev });
        using var webhook = Start();

        var answer = await webhook.ReviewAsync(ImageWebhook.PodReview(image));

        Assert.False(answer.Allowed());
        Assert.Contains(
            $"imageVerification (container \"app\" image \"{image}\" ({digest[..19]}) is signed by {Dev} (issuer {TestSigstore.DefaultIssuer}), not by any trusted identity (entry \"release\") at spec.containers[0].image)",
            answer.Message(),
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_TrustedRootNotMounted_TheSameSignatureIsNotTrusted()
    {
        var (image, _) = await LegacySignedAsync("keyless/untrusted");
        using var webhook = ImageWebhook.StartWithEntries(
            [registry.Host],
            $"""
            - name: release
              images: ["{registry.Host}/keyless/*"]
              keyless:
                - issuer: {TestSigstore.DefaultIssuer}
                  subject: {TestSigstore.DefaultSubject}
            """);

        var answer = await webhook.ReviewAsync(ImageWebhook.PodReview(image));

        Assert.False(answer.Allowed());
        // The built-in public-good root does not know the test's log: the signature fails at that step, and says so.
        Assert.Contains("has a keyless signature that does not verify (log entry: ", answer.Message(), StringComparison.Ordinal);
    }
}
