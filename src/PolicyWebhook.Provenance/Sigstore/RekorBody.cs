using System.Security.Cryptography;
using System.Text.Json;

namespace PolicyWebhook.Provenance.Sigstore;

/// <summary>
/// Checks that a log entry's canonicalized body records this bundle: the same digest, signature and verifier, for the
/// kinds a bundle may carry (hashedrekord 0.0.1 and 0.0.2, dsse 0.0.1 and 0.0.2, intoto 0.0.2).
/// </summary>
internal static class RekorBody
{
    /// <summary>Throws <see cref="SigstoreVerificationException"/> (step <c>log entry</c>) when the body does not match the bundle.</summary>
    public static void Match(LogEntry entry, Bundle bundle, SigningKey signer, byte[] artifactSha256)
    {
        RekorBodyJson? body;
        try
        {
            body = JsonSerializer.Deserialize(entry.Body, SigstoreJsonContext.Default.RekorBodyJson);
        }
        catch (JsonException e)
        {
            throw Bad("the canonicalized body is not valid JSON: " + e.Message);
        }

        if (body?.Spec is not { } spec || body.Kind != entry.Kind || body.ApiVersion != entry.Version)
        {
            throw Bad($"the body is not a {entry.Kind} {entry.Version} entry as kindVersion says");
        }

        switch ((entry.Kind, entry.Version))
        {
            case ("hashedrekord", "0.0.1"):
                HashedRekordV001(spec, bundle, signer, artifactSha256);
                break;
            case ("hashedrekord", "0.0.2"):
                HashedRekordV002(spec, bundle, signer, artifactSha256);
                break;
            case ("dsse", "0.0.1"):
                DsseV001(spec, bundle, signer);
                break;
            case ("dsse", "0.0.2"):
                DsseV002(spec, bundle, signer);
                break;
            case ("intoto", "0.0.2"):
                IntotoV002(spec, bundle, signer);
                break;
            default:
                throw Bad($"entries of kind {entry.Kind} {entry.Version} are not supported");
        }
    }

    private static void HashedRekordV001(RekorSpecJson spec, Bundle bundle, SigningKey signer, byte[] artifactSha256)
    {
        if (bundle.Message is null)
        {
            throw Bad("a hashedrekord 0.0.1 entry records a message signature, and the bundle holds a DSSE envelope");
        }

        if (spec.Data?.Hash is not { Algorithm: "sha256", Value: { } hex } || !HexEquals(hex, artifactSha256))
        {
            throw Bad("the entry records another artifact digest");
        }

        if (Formats.Json.Base64(spec.Signature?.Content) is not { } signature || !signature.AsSpan().SequenceEqual(bundle.Signature))
        {
            throw Bad("the entry records another signature");
        }

        if (!signer.MatchesPem(Formats.Json.Base64(spec.Signature?.PublicKey?.Content)))
        {
            throw Bad("the entry records another certificate or key");
        }
    }

    private static void HashedRekordV002(RekorSpecJson spec, Bundle bundle, SigningKey signer, byte[] artifactSha256)
    {
        // Rekor v2 logs a DSSE envelope as a hashedrekord over the bytes its signature covers.
        var expected = bundle.Envelope is { } envelope
            ? SHA256.HashData(Formats.DsseEnvelope.PreAuthenticationEncoding(envelope.PayloadType, envelope.Payload))
            : artifactSha256;
        if (spec.HashedRekordV002 is not { } rekord)
        {
            throw Bad("the body has no hashedRekordV002");
        }

        if (rekord.Data is not { Algorithm: "SHA2_256" } data || Formats.Json.Base64(data.Digest) is not { } digest || !digest.AsSpan().SequenceEqual(expected))
        {
            throw Bad(bundle.Envelope is null ? "the entry records another artifact digest" : "the entry records another DSSE envelope");
        }

        if (Formats.Json.Base64(rekord.Signature?.Content) is not { } signature || !signature.AsSpan().SequenceEqual(bundle.Signature))
        {
            throw Bad("the entry records another signature");
        }

        var verifier = rekord.Signature?.Verifier;
        if (!signer.MatchesDer(Formats.Json.Base64(verifier?.X509Certificate?.RawBytes), Formats.Json.Base64(verifier?.PublicKey?.RawBytes)))
        {
            throw Bad("the entry records another certificate or key");
        }
    }

    private static void DsseV001(RekorSpecJson spec, Bundle bundle, SigningKey signer)
    {
        var envelope = bundle.Envelope ?? throw Bad("a dsse entry records a DSSE envelope, and the bundle holds a message signature");
        if (spec.PayloadHash is not { Algorithm: "sha256", Value: { } hex } || !HexEquals(hex, SHA256.HashData(envelope.Payload)))
        {
            throw Bad("the entry records another DSSE payload");
        }

        if (spec.Signatures is not [var only]
            || Formats.Json.Base64(only.Signature) is not { } signature
            || !signature.AsSpan().SequenceEqual(envelope.Signature))
        {
            throw Bad("the entry records other DSSE signatures");
        }

        if (!signer.MatchesPem(Formats.Json.Base64(only.Verifier)))
        {
            throw Bad("the entry records another certificate or key");
        }
    }

    private static void DsseV002(RekorSpecJson spec, Bundle bundle, SigningKey signer)
    {
        var envelope = bundle.Envelope ?? throw Bad("a dsse entry records a DSSE envelope, and the bundle holds a message signature");
        if (spec.DsseV002 is not { } dsse)
        {
            throw Bad("the body has no dsseV002");
        }

        if (dsse.PayloadHash is not { Algorithm: "SHA2_256" } hash || Formats.Json.Base64(hash.Digest) is not { } digest || !digest.AsSpan().SequenceEqual(SHA256.HashData(envelope.Payload)))
        {
            throw Bad("the entry records another DSSE payload");
        }

        if (dsse.Signatures is not [var only] || Formats.Json.Base64(only.Content) is not { } signature || !signature.AsSpan().SequenceEqual(envelope.Signature))
        {
            throw Bad("the entry records other DSSE signatures");
        }

        if (!signer.MatchesDer(Formats.Json.Base64(only.Verifier?.X509Certificate?.RawBytes), Formats.Json.Base64(only.Verifier?.PublicKey?.RawBytes)))
        {
            throw Bad("the entry records another certificate or key");
        }
    }

    private static void IntotoV002(RekorSpecJson spec, Bundle bundle, SigningKey signer)
    {
        var envelope = bundle.Envelope ?? throw Bad("an intoto entry records a DSSE envelope, and the bundle holds a message signature");
        if (spec.Content is not { } content || content.PayloadHash is not { Algorithm: "sha256", Value: { } hex } || !HexEquals(hex, SHA256.HashData(envelope.Payload)))
        {
            throw Bad("the entry records another DSSE payload");
        }

        if (content.Envelope?.PayloadType != envelope.PayloadType)
        {
            throw Bad("the entry records another payload type");
        }

        // intoto 0.0.2 stores each signature base64-encoded twice.
        if (content.Envelope.Signatures is not [var only]
            || Formats.Json.Base64(only.Sig) is not { } once
            || Formats.Json.Base64(System.Text.Encoding.ASCII.GetString(once)) is not { } signature
            || !signature.AsSpan().SequenceEqual(envelope.Signature))
        {
            throw Bad("the entry records other DSSE signatures");
        }

        if (!signer.MatchesPem(Formats.Json.Base64(only.PublicKey)))
        {
            throw Bad("the entry records another certificate or key");
        }
    }

    private static bool HexEquals(string hex, byte[] bytes) => string.Equals(hex, Convert.ToHexStringLower(bytes), StringComparison.OrdinalIgnoreCase);

    private static SigstoreVerificationException Bad(string message) => new("log entry", message);
}
