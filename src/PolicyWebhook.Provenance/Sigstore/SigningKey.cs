using System.Security.Cryptography.X509Certificates;
using System.Text;
using PolicyWebhook.Provenance.Keys;

namespace PolicyWebhook.Provenance.Sigstore;

/// <summary>What made a bundle's signature: a Fulcio certificate's key, or a key given to the verifier.</summary>
public sealed record SigningKey(TrustedKey Key, X509Certificate2? Certificate)
{
    /// <summary>The key of a signing certificate; throws <see cref="SigstoreVerificationException"/> when its key type is not supported.</summary>
    public static SigningKey FromCertificate(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return TrustedKey.TryFromSubjectPublicKeyInfo(certificate.PublicKey.ExportSubjectPublicKeyInfo(), out var key, out var error)
            ? new SigningKey(key, certificate)
            : throw new SigstoreVerificationException("certificate", error);
    }

    /// <summary>True when a log entry's verifier, PEM text, names this key: the same certificate, or the same public key.</summary>
    public bool MatchesPem(byte[]? pemBytes)
    {
        if (pemBytes is null)
        {
            return false;
        }

        var pem = Encoding.UTF8.GetString(pemBytes);
        if (Certificate is not null)
        {
            return System.Security.Cryptography.PemEncoding.TryFind(pem, out var fields)
                && pem[fields.Label] == "CERTIFICATE"
                && Formats.Json.Base64(pem[fields.Base64Data]) is { } der
                && der.AsSpan().SequenceEqual(Certificate.RawData);
        }

        return TrustedKey.TryParse(pem, out var key, out _) && key.Certificate is null && key.Hint == Key.Hint;
    }

    /// <summary>True when a Rekor v2 verifier (DER certificate or DER public key) names this key.</summary>
    public bool MatchesDer(byte[]? certificate, byte[]? publicKey)
    {
        if (Certificate is not null)
        {
            return certificate is not null && certificate.AsSpan().SequenceEqual(Certificate.RawData);
        }

        return publicKey is not null && TrustedKey.TryFromSubjectPublicKeyInfo(publicKey, out var key, out _) && key.Hint == Key.Hint;
    }
}
