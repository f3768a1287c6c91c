using PolicyWebhook.Provenance.Registry;

namespace PolicyWebhook.Provenance.Formats;

/*
 * A Sigstore bundle (v0.3, cosign 3's default), stored as an OCI 1.1 referrer of the image: one layer of the bundle
 * media type. Its content is either a DSSE envelope of an in-toto statement (predicateType
 * https://sigstore.dev/cosign/sign/v1 is a signature, others attestations) or a messageSignature over a message whose
 * SHA-256 is given. Only keys verify it: the bundle's hint is not trusted, tlog entries and timestamps are not read.
 * Sigstore.BundleVerifier verifies a whole bundle (keyless or keyed, logs, timestamps) against a trusted root.
 */
internal sealed record SigstoreBundle(string? MediaType, DsseEnvelope? DsseEnvelope, BundleMessageSignature? MessageSignature)
{
    /// <summary>The bundle in a layer's blob; null unless it is JSON of a bundle media type.</summary>
    public static SigstoreBundle? Read(ReadOnlySpan<byte> blob) =>
        Json.Read<SigstoreBundle>(blob) is { } bundle && Cosign.IsBundle(bundle.MediaType) ? bundle : null;

    /// <summary>
    /// For a messageSignature bundle, the digest its message has, for each key whose signature over that digest verifies:
    /// the message is the image manifest, so its SHA-256 is the digest it signs.
    /// </summary>
    public IEnumerable<(string KeyName, string Digest)> MessageSignedBy(IReadOnlyList<NamedKey> keys)
    {
        if (MessageSignature is not { MessageDigest.Algorithm: "SHA2_256" } message
            || Json.Base64(message.MessageDigest.Digest) is not { Length: 32 } hash
            || Json.Base64(message.Signature) is not { } signature)
        {
            yield break;
        }

        foreach (var key in keys)
        {
            if (key.Key.VerifySha256Digest(hash, signature))
            {
                yield return (key.Name, Digests.FromSha256Bytes(hash));
            }
        }
    }
}

/// <summary>A bundle's signature over a message given by its digest.</summary>
internal sealed record BundleMessageSignature(BundleMessageDigest? MessageDigest, string? Signature);

/// <summary>The digest of the signed message: <c>SHA2_256</c> and base64 bytes.</summary>
internal sealed record BundleMessageDigest(string? Algorithm, string? Digest);
