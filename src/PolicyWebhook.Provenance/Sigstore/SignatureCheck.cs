using System.Text.Json;
using PolicyWebhook.Provenance.Formats;
using PolicyWebhook.Provenance.Keys;

namespace PolicyWebhook.Provenance.Sigstore;

/// <summary>
/// The bundle's signature over the artifact: a message signature over the artifact itself (or its digest, prehashed),
/// whose digest hint must agree; or a DSSE envelope's signature over its PAE, carrying an in-toto statement one of whose
/// subjects is the artifact.
/// </summary>
internal static class SignatureCheck
{
    public static void Verify(Bundle bundle, Artifact artifact, TrustedKey key)
    {
        if (bundle.Message is { } message)
        {
            if (message.Sha256 is { } hint && !hint.AsSpan().SequenceEqual(artifact.Sha256))
            {
                throw Bad($"the bundle's message digest sha256:{Convert.ToHexStringLower(hint)} is not the artifact's {artifact.Digest}");
            }

            var verified = artifact.Bytes is { } bytes ? key.Verify(bytes, message.Signature) : key.VerifySha256Digest(artifact.Sha256, message.Signature);
            if (!verified)
            {
                throw Bad(artifact.Bytes is null && key.Algorithm is TrustedKeyAlgorithm.Ed25519 or TrustedKeyAlgorithm.EcdsaP384
                    ? $"a {key.Algorithm} signature cannot be verified over a digest; give the artifact itself"
                    : "the signature does not verify over the artifact");
            }

            return;
        }

        var envelope = bundle.Envelope!;
        if (!key.Verify(DsseEnvelope.PreAuthenticationEncoding(envelope.PayloadType, envelope.Payload), envelope.Signature))
        {
            throw Bad("the DSSE envelope's signature does not verify");
        }

        if (envelope.PayloadType != DsseEnvelope.InTotoPayloadType || Statement(envelope.Payload) is not { } statement)
        {
            throw Bad($"the DSSE payload ({envelope.PayloadType}) is not an in-toto statement, so nothing ties it to the artifact");
        }

        var hex = Convert.ToHexStringLower(artifact.Sha256);
        if (!(statement.Subject ?? []).Any(s => s.Digest is not null && s.Digest.TryGetValue("sha256", out var d) && string.Equals(d, hex, StringComparison.OrdinalIgnoreCase)))
        {
            throw Bad($"the artifact {artifact.Digest} is not a subject of the in-toto statement");
        }
    }

    private static InTotoJson? Statement(byte[] payload)
    {
        try
        {
            return JsonSerializer.Deserialize(payload, SigstoreJsonContext.Default.InTotoJson) is { Type: "https://in-toto.io/Statement/v0.1" or "https://in-toto.io/Statement/v1" } statement
                ? statement
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static SigstoreVerificationException Bad(string message) => new("signature", message);
}
