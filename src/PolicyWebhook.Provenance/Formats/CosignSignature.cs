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
    public static IEnumerable<(string KeyName, string Digest)> Verify(OciDescriptor layer, ReadOnlyMemory<byte> blob, IReadOnlyList<NamedKey> keys) =>
        Verify(layer, blob, keys, new Dictionary<string, string>());

    /// <summary>As the overload above, counting only payloads whose annotations hold every one of <paramref name="annotations"/>.</summary>
    public static IEnumerable<(string KeyName, string Digest)> Verify(OciDescriptor layer, ReadOnlyMemory<byte> blob, IReadOnlyList<NamedKey> keys, IReadOnlyDictionary<string, string> annotations)
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
            digest ??= NamedDigest(blob.Span, annotations) ?? string.Empty;
            if (digest.Length > 0)
            {
                yield return (key.Name, digest);
            }
        }
    }

    /// <summary>
    /// The digest a simple-signing payload names, when it is one and carries every required annotation with its value;
    /// null otherwise. Read only after its signature verified.
    /// </summary>
    public static string? NamedDigest(ReadOnlySpan<byte> payload, IReadOnlyDictionary<string, string> annotations)
    {
        if (Json.Read<SimpleSigningPayload>(payload) is not { Critical: { Type: Cosign.SimpleSigningType, Image.DockerManifestDigest: { } named } } signed
            || !Digests.IsSha256(named))
        {
            return null;
        }

        foreach (var (name, value) in annotations)
        {
            if (signed.Optional?.GetValueOrDefault(name) is not { ValueKind: System.Text.Json.JsonValueKind.String } found || found.GetString() != value)
            {
                return null;
            }
        }

        return named;
    }

    private sealed record SimpleSigningPayload(SimpleSigningCritical? Critical, Dictionary<string, System.Text.Json.JsonElement>? Optional);

    private sealed record SimpleSigningCritical(string? Type, SimpleSigningImage? Image);

    private sealed record SimpleSigningImage([property: JsonPropertyName("docker-manifest-digest")] string? DockerManifestDigest);
}
