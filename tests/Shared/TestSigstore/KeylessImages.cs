using System.Text.Json.Nodes;

namespace PolicyWebhook.Tests.Shared;

/// <summary>Images of a test's own, pushed to a registry and signed keylessly by a <see cref="TestSigstore"/> as cosign does.</summary>
internal static class KeylessImages
{
    // Pushes an image of its own and signs its digest as cosign's legacy format does: a .sig tag whose layer is the payload.
    public static async Task<(string Image, string Digest)> PushLegacySignedAsync(TestSigstore sigstore, string host, string repository, TestSigning? signing = null)
    {
        using var push = new RegistryPush(host);
        var digest = await push.ImageAsync(repository, "1.0");
        var signed = sigstore.SignImageLegacy(repository, digest, signing);
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
        return ($"{host}/{repository}:1.0", digest);
    }

    // Pushes an image of its own and a Sigstore bundle as its referrer, listed in the referrers tag schema as cosign does
    // where a registry (distribution 2.8) has no referrers API.
    public static async Task<(string Image, string Digest)> PushBundleSignedAsync(TestSigstore sigstore, string host, string repository)
    {
        using var push = new RegistryPush(host);
        var digest = await push.ImageAsync(repository, "1.0");
        var bundle = sigstore.SignImageBundle(digest);
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
        return ($"{host}/{repository}:1.0", digest);
    }
}
