using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;

namespace PolicyWebhook.Provenance.Sigstore;

/// <summary>
/// RFC 3161 signed timestamps: the token's imprint is the bundle's signature, its signer chains to a timestamp
/// authority of the trusted root at the time it states, and that time is within the authority's validity window.
/// </summary>
internal static class TimestampVerifier
{
    private const string TimeStampingOid = "1.3.6.1.5.5.7.3.8";

    /// <summary>The time the token vouches for; throws <see cref="SigstoreVerificationException"/> (step <c>timestamp</c>) when it does not verify.</summary>
    public static DateTimeOffset Verify(byte[] signedTimestamp, byte[] signature, TrustedRoot root)
    {
        if (!Rfc3161TimestampToken.TryDecode(Token(signedTimestamp), out var token, out _))
        {
            // TryDecode also refuses a token whose embedded signing certificate was not valid at the time it states.
            throw Bad("not an RFC 3161 timestamp token, or its embedded signing certificate was not valid at the time it states");
        }

        var time = token.TokenInfo.Timestamp;
        var candidates = new X509Certificate2Collection();
        foreach (var authority in root.TimestampAuthorities)
        {
            candidates.AddRange(authority.Chain.ToArray());
        }

        X509Certificate2? signer;
        try
        {
            if (!token.VerifySignatureForData(signature, out signer, candidates) || signer is null)
            {
                throw Bad(ImprintMatches(token, signature)
                    ? "it is not signed by a certificate of a trusted timestamp authority"
                    : "it timestamps something other than the bundle's signature");
            }
        }
        catch (CryptographicException e)
        {
            throw Bad("its signature does not verify: " + e.Message);
        }

        var reasons = new List<string>();
        foreach (var authority in root.TimestampAuthorities)
        {
            if (!Chains(signer, authority, time, out var problem))
            {
                reasons.Add(problem);
                continue;
            }

            if (!authority.ValidFor.Contains(time))
            {
                reasons.Add($"{time:u} is outside the window of {authority.Uri} ({authority.ValidFor})");
                continue;
            }

            return time;
        }

        throw Bad(reasons.Count == 0
            ? "the trusted root has no timestamp authority"
            : $"signed by {signer.Subject}, which no trusted timestamp authority vouches for at {time:u}: {string.Join("; ", reasons)}");
    }

    private static bool ImprintMatches(Rfc3161TimestampToken token, byte[] signature)
    {
        var imprint = token.TokenInfo.GetMessageHash().Span;
        var computed = token.TokenInfo.HashAlgorithmId.Value switch
        {
            "2.16.840.1.101.3.4.2.1" => SHA256.HashData(signature),
            "2.16.840.1.101.3.4.2.2" => SHA384.HashData(signature),
            "2.16.840.1.101.3.4.2.3" => SHA512.HashData(signature),
            _ => [],
        };
        return imprint.SequenceEqual(computed);
    }

    // Sigstore bundles hold the whole TimeStampResp (status, then the token); the token alone is accepted too.
    private static byte[] Token(byte[] der)
    {
        try
        {
            var reader = new AsnReader(der, AsnEncodingRules.BER).ReadSequence();
            if (reader.PeekTag() == Asn1Tag.Sequence)
            {
                var status = reader.ReadSequence().ReadInteger();
                if (status > 1)
                {
                    throw Bad($"the timestamp response has status {status}, not granted");
                }

                return reader.ReadEncodedValue().ToArray();
            }
        }
        catch (AsnContentException)
        {
            throw Bad("not DER");
        }

        return der;
    }

    private static bool Chains(X509Certificate2 signer, CertificateAuthority authority, DateTimeOffset time, out string problem)
    {
        using var chain = authority.ChainAt(time, TimeStampingOid);
        if (chain.Build(signer))
        {
            problem = string.Empty;
            return true;
        }

        problem = $"{authority.Uri}: " + string.Join(", ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Distinct());
        return false;
    }

    private static SigstoreVerificationException Bad(string message) => new("timestamp", message);
}
