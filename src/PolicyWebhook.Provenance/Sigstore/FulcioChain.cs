using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PolicyWebhook.Provenance.Sigstore;

/// <summary>
/// Checks that a signing certificate chains to a Fulcio CA of the trusted root, at a given signing time (never the
/// current clock), within the CA's validity window. Intermediates come from the trusted root only.
/// </summary>
internal static class FulcioChain
{
    private const string CodeSigningOid = "1.3.6.1.5.5.7.3.3";

    /// <summary>The certificate that issued the leaf, from the chain that verified; throws <see cref="SigstoreVerificationException"/> otherwise.</summary>
    public static X509Certificate2 Verify(X509Certificate2 leaf, TrustedRoot root, DateTimeOffset time)
    {
        if (leaf.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority))
        {
            throw new SigstoreVerificationException("certificate chain", "the signing certificate is a CA certificate, not a leaf");
        }

        var reasons = new List<string>();
        foreach (var authority in root.CertificateAuthorities)
        {
            using var chain = authority.ChainAt(time, CodeSigningOid);
            if (!chain.Build(leaf))
            {
                reasons.Add(string.Join(", ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Distinct()));
                continue;
            }

            if (!authority.ValidFor.Contains(time))
            {
                reasons.Add($"the CA {authority.Uri} is trusted from {authority.ValidFor}, not at {time:u}");
                continue;
            }

            return chain.ChainElements[1].Certificate;
        }

        throw new SigstoreVerificationException(
            "certificate chain",
            $"the signing certificate ({leaf.NotBefore.ToUniversalTime():u} to {leaf.NotAfter.ToUniversalTime():u}) does not chain to a trusted Fulcio CA at {time:u}"
                + (reasons.Count > 0 ? ": " + string.Join("; ", reasons.Distinct()) : ": the trusted root has no certificate authority"));
    }
}
