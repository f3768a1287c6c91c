using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PolicyWebhook.Policies.Validation;

/// <summary>
/// Judges the PEM of a trusted key without keeping it: one <c>PUBLIC KEY</c> block (SubjectPublicKeyInfo) of a type the
/// signature formats use, ECDSA P-256 or P-384, RSA of 2048 bits or more, or Ed25519. The key's text is never quoted back.
/// </summary>
internal static class PublicKeyPem
{
    private const string EcPublicKey = "1.2.840.10045.2.1";
    private const string Rsa = "1.2.840.113549.1.1.1";
    private const string Ed25519 = "1.3.101.112";
    private const int MinimumRsaBits = 2048;

    private static readonly Dictionary<string, string> Curves = new(StringComparer.Ordinal)
    {
        ["1.2.840.10045.3.1.7"] = "P-256",
        ["1.3.132.0.34"] = "P-384",
        ["1.3.132.0.35"] = "P-521",
        ["1.3.132.0.10"] = "secp256k1",
    };

    /// <summary>What is wrong with the PEM, or null when it holds one supported public key.</summary>
    public static string? Problem(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        var blocks = new List<(string Label, byte[] Der)>();
        var rest = pem.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            var der = new byte[fields.DecodedDataLength];
            if (!Convert.TryFromBase64Chars(rest[fields.Base64Data], der, out _))
            {
                return "is not a PEM public key (-----BEGIN PUBLIC KEY-----, as cosign generate-key-pair writes cosign.pub)";
            }

            blocks.Add((rest[fields.Label].ToString(), der));
            rest = rest[fields.Location.End..];
        }

        if (blocks.Count == 0)
        {
            return "is not a PEM public key (-----BEGIN PUBLIC KEY-----, as cosign generate-key-pair writes cosign.pub)";
        }

        var (label, body) = blocks[0];
        if (label.Contains("PRIVATE KEY", StringComparison.Ordinal))
        {
            return "is a private key: give the public key only (cosign.pub), and replace this key, as it is no longer secret";
        }

        if (label == "CERTIFICATE")
        {
            return "is a certificate: give its public key (openssl x509 -pubkey -noout -in cert.pem)";
        }

        if (label != "PUBLIC KEY")
        {
            return $"is a PEM {label}, not a PUBLIC KEY";
        }

        return blocks.Count > 1 ? "holds more than one PEM block: list each key as an entry of its own" : KeyProblem(body);
    }

    private static string? KeyProblem(byte[] der)
    {
        PublicKey key;
        try
        {
            key = PublicKey.CreateFromSubjectPublicKeyInfo(der, out var read);
            if (read != der.Length)
            {
                return "is not a PEM public key: bytes follow its SubjectPublicKeyInfo";
            }
        }
        catch (CryptographicException)
        {
            return "is not a PEM public key: its body is not a SubjectPublicKeyInfo";
        }

        switch (key.Oid.Value)
        {
            case EcPublicKey:
                var curve = CurveOf(key.EncodedParameters?.RawData ?? []);
                if (curve is not ("P-256" or "P-384"))
                {
                    return $"is an ECDSA key on curve {curve ?? "(unnamed)"}; use P-256 or P-384";
                }

                return Imports(() => { using var ec = ECDsa.Create(); ec.ImportSubjectPublicKeyInfo(der, out _); });
            case Rsa:
                int bits = 0;
                var problem = Imports(() => { using var rsa = RSA.Create(); rsa.ImportSubjectPublicKeyInfo(der, out _); bits = rsa.KeySize; });
                return problem ?? (bits < MinimumRsaBits ? $"is an RSA key of {bits} bits; use {MinimumRsaBits} or more" : null);
            case Ed25519:
                // No Ed25519 type in .NET to import into: the key is the 32 bytes of the BIT STRING, with no parameters.
                return key.EncodedKeyValue.RawData.Length == 32 && (key.EncodedParameters?.RawData ?? []).Length == 0
                    ? null
                    : "is not an Ed25519 key: its key is not 32 bytes";
            default:
                return $"is a key of algorithm {key.Oid.Value}; use ECDSA P-256 or P-384, RSA of {MinimumRsaBits} bits or more, or Ed25519";
        }
    }

    private static string? CurveOf(byte[] parameters)
    {
        try
        {
            var oid = AsnDecoder.ReadObjectIdentifier(parameters, AsnEncodingRules.DER, out _);
            return Curves.GetValueOrDefault(oid, oid);
        }
        catch (AsnContentException)
        {
            return null;
        }
    }

    private static string? Imports(Action import)
    {
        try
        {
            import();
            return null;
        }
        catch (CryptographicException)
        {
            return "is not a PEM public key: its key does not decode";
        }
    }
}
