using System.Text.Json.Serialization;
using PolicyWebhook.Provenance.Registry;

namespace PolicyWebhook.Provenance.Formats;

/*
 * The legacy cosign signature: a manifest under tag sha256-<hex>.sig, one layer per signature, mediaType
 * application/vnd.dev.cosign.simplesigning.v1+json. The blob is the simple-signing payload; the layer annotation
 * dev.cosignproject.cosign/signature is the base64 signature over the blob's exact bytes. What the payload signs is
 * critical.image.docker-manifest-digest; critical.identity.docker-reference (a host) is deliberately not read.
 */
internal static class CosignSignature
{
    /// <summary>The digest a simple-signing layer's payload names, for each key whose signature over the blob verifies.</summary>
    public static IEnumerable<(string KeyName, string Digest)> Verify(OciDescriptor layer, ReadOnlyMemory<byte> blob, IReadOnlyList<NamedKey> keys)
    {
        if (layer.MediaType != Cosign.SimpleSigningLayer || Json.Base64(layer.Annotation(Cosign.SignatureAnnotation)) is not { } signature)
        {
            yield break;
        }

        string? digest = null;
        foreach (var key in keys)
        {
            if (!key.Key.Verify(blob.Span, signature))
            {
                continue;
            }

            // Parsed only once a trusted key has verified it: nothing unsigned is ever read.
            digest ??= Json.Read<SimpleSigningPayload>(blob.Span) is { Critical: { Type: Cosign.SimpleSigningType, Image.DockerManifestDigest: { } named } }
                && Digests.IsSha256(named) ? named : string.Empty;
            if (digest.Length > 0)
            {
                yield return (key.Name, digest);
            }
        }
    }

    private sealed record SimpleSigningPayload(SimpleSigningCritical? Critical);

    private sealed record SimpleSigningCritical(string? Type, SimpleSigningImage? Image);

    private sealed record SimpleSigningImage([property: JsonPropertyName("docker-manifest-digest")] string? DockerManifestDigest);
}
