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

    // Pushes an image of its own and signs its digest as cosign's legacy format does: a .sig tag whose layer is the payload.
    private async Task<(string Image, string Digest)> LegacySignedAsync(string repository, TestSigning? signing = null)
    {
        using var push = new RegistryPush(registry.Host);
        var digest = await push.ImageAsync(repository, "1.0");
        var signed = _sigstore.SignImageLegacy(repository, digest, signing);
        var config = await push.BlobAsync(repository, "{}"u8.ToArray());
        var payload = await push.BlobAsync(repository, signed.Payload);
        var layer = RegistryPush.Descriptor(CosignSignatureLayer.MediaType, payload, signed.Payload.Length);
        layer["annotations"] = new JsonObject
        {
            [CosignSignatureLayer.SignatureAnnotation] = signed.Signature,
            [CosignSignatureLayer.CertificateAnnotation] = signed.Certificate,
            [CosignSignatureLayer.ChainAnnotation] = signed.Chain,
            [CosignSignatureLayer.BundleAnnotation] = signed.RekorBundle,
        };
        await push.ManifestAsync(repository, digest.Replace(':', '-') + ".sig", RegistryPush.Manifest(RegistryPush.Descriptor("application/vnd.oci.image.config.v1+json", config, 2), [layer]));
        return ($"{registry.Host}/{repository}:1.0", digest);
    }

    // Pushes an image of its own and a Sigstore bundle as its referrer, listed in the referrers tag schema as cosign does
    // where a registry (distribution 2.8) has no referrers API.
    private async Task<(string Image, string Digest)> BundleSignedAsync(string repository)
    {
        using var push = new RegistryPush(registry.Host);
        var digest = await push.ImageAsync(repository, "1.0");
        var bundle = _sigstore.SignImageBundle(digest);
        var empty = await push.BlobAsync(repository, "{}"u8.ToArray());
        var layer = await push.BlobAsync(repository, bundle);
        var referrer = RegistryPush.Manifest(
            RegistryPush.Descriptor("application/vnd.oci.empty.v1+json", empty, 2),
            [RegistryPush.Descriptor(TestSigstore.BundleMediaType, layer, bundle.Length)],
            new JsonObject { ["dev.sigstore.bundle.predicateType"] = TestSigstore.CosignSignPredicateType });
        referrer["artifactType"] = TestSigstore.BundleMediaType;
        referrer["subject"] = RegistryPush.Descriptor(RegistryPush.ManifestType, digest, 0);
        var referrerDigest = await push.ManifestAsync(repository, "referrer", referrer);
        var entry = RegistryPush.Descriptor(RegistryPush.ManifestType, referrerDigest, 0);
        entry["artifactType"] = TestSigstore.BundleMediaType;
        await push.ManifestAsync(repository, digest.Replace(':', '-'), new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.index.v1+json",
            ["manifests"] = new JsonArray(entry),
        });
        return ($"{registry.Host}/{repository}:1.0", digest);
    }

    [Fact]
    public async Task Validate_LegacyKeylessSignatureOfTheReleaseWorkflow_IsAdmittedAndPinned()
    {
        var (image, digest) = await LegacySignedAsync("keyless/legacy");
        using var webhook = Start();

        var validated = await webhook.ReviewAsync(ImageWebhook.PodReview(image));
        var mutated = await webhook.ReviewAsync(ImageWebhook.PodReview(image), path: "/mutate");

        Assert.True(validated.Allowed(), validated.ToJsonString());
        var patch = JsonNode.Parse(Convert.FromBase64String(mutated["patch"]!.GetValue<string>()))!.AsArray();
        Assert.Equal($"{image}@{digest}", Assert.Single(patch)!["value"]!.GetValue<string>());
    }

    [Fact]
    public async Task Validate_KeylessBundleReferrerOfTheReleaseWorkflow_IsAdmittedAndPinned()
    {
        var (image, digest) = await BundleSignedAsync("keyless/bundle");
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
        Assert.Contains("has no signature by any of the 1 trusted identity", answer.Message(), StringComparison.Ordinal);
    }
}
