using System.Security.Cryptography;
using System.Text.Json;

namespace PolicyWebhook.Provenance.Sigstore;

/// <summary>
/// A legacy cosign keyless signature (an OCI signature layer's certificate, signature and Rekor bundle annotations) as
/// a v0.1 Sigstore bundle: the signed entry timestamp is required and no inclusion proof is expected, as cosign's
/// offline verification does. The artifact is the layer's payload (the simple-signing JSON).
/// </summary>
public static class CosignSignatureBundle
{
    /// <summary>
    /// The bundle of <paramref name="certificatePem"/> (<c>dev.sigstore.cosign/certificate</c>), the base64
    /// <paramref name="signature"/> (<c>dev.cosignproject.cosign/signature</c>) and <paramref name="rekorBundleJson"/>
    /// (<c>dev.sigstore.cosign/bundle</c>); throws <see cref="SigstoreVerificationException"/> (step <c>bundle</c>) when malformed.
    /// </summary>
    public static Bundle Create(string certificatePem, string signature, ReadOnlySpan<byte> rekorBundleJson)
    {
        ArgumentNullException.ThrowIfNull(certificatePem);
        if (!PemEncoding.TryFind(certificatePem, out var fields) || certificatePem[fields.Label] != "CERTIFICATE"
            || Certificates.Load(certificatePem[fields.Base64Data]) is not { } certificate)
        {
            throw Bad("the certificate annotation is not a PEM CERTIFICATE");
        }

        var signatureBytes = Formats.Json.Base64(signature) ?? throw Bad("the signature annotation is not base64");
        if (rekorBundleJson.Length > Bundle.MaxBytes)
        {
            throw Bad($"the Rekor bundle is larger than {Bundle.MaxBytes} bytes");
        }

        CosignRekorBundleJson? rekor;
        try
        {
            rekor = JsonSerializer.Deserialize(rekorBundleJson, SigstoreJsonContext.Default.CosignRekorBundleJson);
        }
        catch (JsonException e)
        {
            throw Bad("the Rekor bundle is not valid JSON: " + e.Message);
        }

        if (rekor?.Payload is not { } payload || payload.LogIndex < 0 || payload.IntegratedTime <= 0)
        {
            throw Bad("the Rekor bundle has no payload with a log index and an integrated time");
        }

        var body = Formats.Json.Base64(payload.Body) ?? throw Bad("the Rekor bundle's body is not base64");
        var (kind, version) = KindOf(body);
        var entry = new LogEntry(
            payload.LogIndex,
            LogId(payload.LogId) ?? throw Bad("the Rekor bundle's logID is not hex"),
            kind,
            version,
            payload.IntegratedTime,
            Formats.Json.Base64(rekor.SignedEntryTimestamp) ?? throw Bad("the Rekor bundle has no SignedEntryTimestamp"),
            null,
            body);
        return new Bundle(1, certificate, [], null, [entry], [], new MessageSignature(null, signatureBytes), null);
    }

    private static byte[]? LogId(string? hex)
    {
        try
        {
            return hex is { Length: 64 } ? Convert.FromHexString(hex) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static (string Kind, string Version) KindOf(byte[] body)
    {
        try
        {
            return JsonSerializer.Deserialize(body, SigstoreJsonContext.Default.RekorBodyJson) is { Kind: { } kind, ApiVersion: { } version }
                ? (kind, version)
                : throw Bad("the Rekor entry body has no kind and apiVersion");
        }
        catch (JsonException e)
        {
            throw Bad("the Rekor entry body is not valid JSON: " + e.Message);
        }
    }

    private static SigstoreVerificationException Bad(string message) => new("bundle", message);
}
