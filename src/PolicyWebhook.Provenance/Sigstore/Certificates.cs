using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PolicyWebhook.Provenance.Sigstore;

/// <summary>Loading DER certificates from base64 without throwing.</summary>
internal static class Certificates
{
    /// <summary>The certificate in base64 DER; null when it is not base64 or not a certificate.</summary>
    public static X509Certificate2? Load(string? base64) =>
        Formats.Json.Base64(base64) is { } der ? Load(der) : null;

    /// <summary>The certificate in DER; null when it is not one.</summary>
    public static X509Certificate2? Load(byte[] der)
    {
        try
        {
            return X509CertificateLoader.LoadCertificate(der);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>True when the certificate is self-signed: its issuer is its subject and its own key verifies it.</summary>
    public static bool IsSelfSigned(X509Certificate2 certificate)
    {
        if (!certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData))
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(certificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        return chain.Build(certificate);
    }
}
