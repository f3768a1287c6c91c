using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Serialization;
using PolicyWebhook.Provenance.Registry;

namespace PolicyWebhook.Provenance.Formats;

/*
 * Notary Project signatures (notation 1.x), found as referrers: config media type (so artifact type)
 * application/vnd.cncf.notary.signature, one layer application/jose+json holding a JWS JSON serialization:
 * - protected header: alg (PS256/384/512, ES256/384/512), crit, cty application/vnd.cncf.notary.payload.v1+json,
 *   io.cncf.notary.signingScheme notary.x509, io.cncf.notary.signingTime, optionally io.cncf.notary.expiry;
 * - unprotected header: x5c, the chain leaf first as base64 DER;
 * - payload (base64url): {"targetArtifact":{"digest":...}}, the digest signed; it names no host.
 * Verified as `notation verify` does at level strict with a CA trust store: the signature over
 * ASCII(protected "." payload) with the leaf's key, a code signing leaf, and a chain from it to a trusted certificate,
 * valid now. Not done: revocation (OCSP/CRL), timestamps (the signingAuthority scheme is refused), trusted identities
 * (any chain to the trusted certificate counts) and registry scopes (digests are matched, never hosts).
 */
internal static class NotarySignature
{
    public const string ArtifactType = "application/vnd.cncf.notary.signature";
    public const string JwsMediaType = "application/jose+json";

    private const string PayloadContentType = "application/vnd.cncf.notary.payload.v1+json";
    private const string SigningSchemeHeader = "io.cncf.notary.signingScheme";
    private const string ExpiryHeader = "io.cncf.notary.expiry";
    private const string CodeSigning = "1.3.6.1.5.5.7.3.3";
    private const int MaxChain = 8;

    /// <summary>The digest the signature names, for each trusted certificate its chain ends at; none when anything fails.</summary>
    public static List<(string KeyName, string Digest)> Verify(ReadOnlySpan<byte> blob, IReadOnlyList<NamedKey> keys, DateTimeOffset now)
    {
        var anchors = keys.Where(k => k.Key.Certificate is not null).ToList();
        if (anchors.Count == 0
            || Json.Read<Jws>(blob) is not { Protected: { } encodedHeader, Payload: { } encodedPayload, Header.X5c: { Count: > 0 and <= MaxChain } x5c } jws
            || Json.Read<ProtectedHeader>(Json.Base64Url(encodedHeader)) is not { } header
            || !Acceptable(header, now)
            || Json.Read<NotaryPayload>(Json.Base64Url(encodedPayload)) is not { TargetArtifact.Digest: { } digest }
            || !Digests.IsSha256(digest)
            || Json.Base64Url(jws.Signature) is not { Length: > 0 } signature)
        {
            return [];
        }

        var chain = Load(x5c);
        try
        {
            if (chain.Count != x5c.Count
                || !IsCodeSigning(chain[0])
                || !SignedByLeaf(chain[0], header.Alg!, Encoding.ASCII.GetBytes(encodedHeader + "." + encodedPayload), signature))
            {
                return [];
            }

            return [.. anchors.Where(a => ChainsTo(chain, a.Key.Certificate!, now)).Select(a => (a.Name, digest))];
        }
        finally
        {
            chain.ForEach(c => c.Dispose());
        }
    }

    // The x509 scheme, the notary payload, and no critical header this reader does not understand; not expired.
    private static bool Acceptable(ProtectedHeader header, DateTimeOffset now) =>
        header is { Cty: PayloadContentType, SigningScheme: "notary.x509", Alg: { Length: 5 }, Crit: { } crit }
        && crit.Contains(SigningSchemeHeader)
        && crit.All(c => c is SigningSchemeHeader or ExpiryHeader)
        && (header.Expiry is null || (crit.Contains(ExpiryHeader) && now <= header.Expiry));

    private static List<X509Certificate2> Load(List<string> x5c)
    {
        var certificates = new List<X509Certificate2>(x5c.Count);
        foreach (var der in x5c.Select(Json.Base64).OfType<byte[]>())
        {
            try
            {
                certificates.Add(X509CertificateLoader.LoadCertificate(der));
            }
            catch (CryptographicException)
            {
                break;
            }
        }

        return certificates;
    }

    private static bool IsCodeSigning(X509Certificate2 leaf)
    {
        var usage = leaf.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
        var extended = leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
        return usage is not null && usage.KeyUsages.HasFlag(X509KeyUsageFlags.DigitalSignature)
            && (extended is null || extended.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == CodeSigning));
    }

    private static bool SignedByLeaf(X509Certificate2 leaf, string alg, byte[] signingInput, byte[] signature)
    {
        var hash = alg[2..] switch
        {
            "256" => HashAlgorithmName.SHA256,
            "384" => HashAlgorithmName.SHA384,
            "512" => HashAlgorithmName.SHA512,
            _ => default,
        };
        if (hash == default)
        {
            return false;
        }

        try
        {
            if (alg.StartsWith("PS", StringComparison.Ordinal))
            {
                using var rsa = leaf.GetRSAPublicKey();
                return rsa is { KeySize: >= Keys.TrustedKey.MinimumRsaBits } && rsa.VerifyData(signingInput, signature, hash, RSASignaturePadding.Pss);
            }

            using var ecdsa = alg.StartsWith("ES", StringComparison.Ordinal) ? leaf.GetECDsaPublicKey() : null;
            return ecdsa is not null && ecdsa.VerifyData(signingInput, signature, hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static bool ChainsTo(List<X509Certificate2> certificates, X509Certificate2 trusted, DateTimeOffset now)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(trusted);
        chain.ChainPolicy.ExtraStore.AddRange(certificates.Skip(1).ToArray());
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        return chain.Build(certificates[0]);
    }

    private sealed record Jws(string? Payload, string? Protected, JwsHeader? Header, string? Signature);

    private sealed record JwsHeader(List<string>? X5c);

    private sealed record ProtectedHeader(
        string? Alg,
        List<string>? Crit,
        string? Cty,
        [property: JsonPropertyName(SigningSchemeHeader)] string? SigningScheme,
        [property: JsonPropertyName(ExpiryHeader)] DateTimeOffset? Expiry);

    private sealed record NotaryPayload(NotaryTarget? TargetArtifact);

    private sealed record NotaryTarget(string? Digest);
}
