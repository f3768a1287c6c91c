using System.Diagnostics.CodeAnalysis;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Crypto.Parameters;

namespace PolicyWebhook.Provenance.Keys;

/// <summary>The kinds of public key a trusted key may be, each with the one signature scheme cosign uses for it.</summary>
public enum TrustedKeyAlgorithm
{
    /// <summary>ECDSA over P-256 with SHA-256, DER signatures.</summary>
    EcdsaP256,

    /// <summary>ECDSA over P-384 with SHA-384, DER signatures.</summary>
    EcdsaP384,

    /// <summary>RSA of at least 2048 bits, PKCS#1 v1.5 with SHA-256.</summary>
    Rsa,

    /// <summary>Ed25519 (pure, over the message itself).</summary>
    Ed25519,

    /// <summary>An X.509 certificate: a Notary Project trust anchor, that signature chains must end at; it verifies no cosign signature.</summary>
    Certificate,
}

/// <summary>
/// A trusted public key parsed from PEM <c>PUBLIC KEY</c> (SubjectPublicKeyInfo): ECDSA P-256 or P-384, RSA of at least
/// 2048 bits, or Ed25519. It verifies signatures as cosign writes them. A PEM <c>CERTIFICATE</c> is a Notary Project trust
/// anchor instead (<see cref="Certificate"/>). Parsed once and kept for the process's life.
/// </summary>
public sealed class TrustedKey
{
    public const int MinimumRsaBits = 2048;

    private const string EcPublicKeyOid = "1.2.840.10045.2.1";
    private const string P256Oid = "1.2.840.10045.3.1.7";
    private const string P384Oid = "1.3.132.0.34";
    private const string RsaOid = "1.2.840.113549.1.1.1";
    private const string Ed25519Oid = "1.3.101.112";

    // The .NET key objects are not documented as safe for concurrent use, so verification takes this lock; it is short.
    private readonly Lock _lock = new();
    private readonly AsymmetricAlgorithm? _dotnetKey;
    private readonly Ed25519PublicKeyParameters? _ed25519;

    private TrustedKey(TrustedKeyAlgorithm algorithm, byte[] spki, AsymmetricAlgorithm? dotnetKey, Ed25519PublicKeyParameters? ed25519)
    {
        Algorithm = algorithm;
        _dotnetKey = dotnetKey;
        _ed25519 = ed25519;
        Hint = Convert.ToBase64String(SHA256.HashData(spki));
    }

    private TrustedKey(X509Certificate2 certificate)
        : this(TrustedKeyAlgorithm.Certificate, certificate.PublicKey.ExportSubjectPublicKeyInfo(), null, null) => Certificate = certificate;

    public TrustedKeyAlgorithm Algorithm { get; }

    /// <summary>The trusted certificate when the PEM was a <c>CERTIFICATE</c>: the root a Notary Project signature's chain must end at.</summary>
    public X509Certificate2? Certificate { get; }

    /// <summary>Base64 SHA-256 of the DER SubjectPublicKeyInfo: what a Sigstore bundle's <c>publicKey.hint</c> holds.</summary>
    public string Hint { get; }

    /// <summary>Parses PEM <c>PUBLIC KEY</c> (or <c>CERTIFICATE</c>) text; throws <see cref="KeyMaterialException"/> saying what is wrong with it.</summary>
    public static TrustedKey Parse(string pem) =>
        TryParse(pem, out var key, out var error) ? key : throw new KeyMaterialException(error);

    /// <summary>
    /// Parses PEM <c>PUBLIC KEY</c> (or <c>CERTIFICATE</c>) text, or says why it cannot: <c>not a PEM PUBLIC KEY</c>,
    /// <c>unsupported key type 1.2.3</c>.
    /// </summary>
    public static bool TryParse(string? pem, [NotNullWhen(true)] out TrustedKey? key, [NotNullWhen(false)] out string? error)
    {
        key = null;
        if (pem is null || !PemEncoding.TryFind(pem, out var fields) || pem[fields.Label] is not ("PUBLIC KEY" or "CERTIFICATE"))
        {
            error = "not a PEM PUBLIC KEY";
            return false;
        }

        var label = pem[fields.Label];

        var der = new byte[fields.DecodedDataLength];
        if (!Convert.TryFromBase64Chars(pem.AsSpan()[fields.Base64Data], der, out _))
        {
            error = $"not a PEM {label}: the base64 does not decode";
            return false;
        }

        try
        {
            error = label == "CERTIFICATE" ? ReadCertificate(der, out key) : Read(der, out key);
            return error is null && key is not null;
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException or ArgumentException or InvalidOperationException)
        {
            key = null;
            error = $"malformed {label}: {e.Message}";
            return false;
        }
    }

    /// <summary>
    /// Parses DER SubjectPublicKeyInfo (a Sigstore trusted root's <c>rawBytes</c>, a certificate's key), or says why it cannot.
    /// </summary>
    public static bool TryFromSubjectPublicKeyInfo(byte[] spki, [NotNullWhen(true)] out TrustedKey? key, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(spki);
        try
        {
            error = Read(spki, out key);
            return error is null && key is not null;
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException or ArgumentException or InvalidOperationException)
        {
            key = null;
            error = $"malformed PUBLIC KEY: {e.Message}";
            return false;
        }
    }

    /// <summary>True when <paramref name="signature"/> is this key's signature of <paramref name="data"/>; false for any malformed signature.</summary>
    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (_ed25519 is not null)
        {
            return signature.Length == Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.SignatureSize
                && _ed25519.Verify(Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.Algorithm.Ed25519, null, data.ToArray(), 0, data.Length, signature.ToArray(), 0);
        }

        try
        {
            lock (_lock)
            {
                return _dotnetKey switch
                {
                    ECDsa ecdsa => ecdsa.VerifyData(data, signature, Algorithm == TrustedKeyAlgorithm.EcdsaP384 ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence),
                    RSA rsa => rsa.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
                    _ => false,
                };
            }
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>
    /// True when <paramref name="signature"/> is this key's signature of a message whose SHA-256 is <paramref name="sha256"/>:
    /// a Sigstore bundle's <c>messageSignature</c>. Only the SHA-256 schemes can (P-256 and RSA); Ed25519 signs the message itself.
    /// </summary>
    public bool VerifySha256Digest(ReadOnlySpan<byte> sha256, ReadOnlySpan<byte> signature)
    {
        if (sha256.Length != SHA256.HashSizeInBytes)
        {
            return false;
        }

        try
        {
            lock (_lock)
            {
                return _dotnetKey switch
                {
                    ECDsa ecdsa when Algorithm == TrustedKeyAlgorithm.EcdsaP256 => ecdsa.VerifyHash(sha256, signature, DSASignatureFormat.Rfc3279DerSequence),
                    RSA rsa => rsa.VerifyHash(sha256, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
                    _ => false,
                };
            }
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static string? ReadCertificate(byte[] der, out TrustedKey? key)
    {
        var certificate = X509CertificateLoader.LoadCertificate(der);
        using var rsa = certificate.GetRSAPublicKey();
        if (rsa is not null && rsa.KeySize < MinimumRsaBits)
        {
            certificate.Dispose();
            key = null;
            return $"certificate with an RSA key of {rsa.KeySize} bits; at least {MinimumRsaBits} are required";
        }

        key = new TrustedKey(certificate);
        return null;
    }

    private static string? Read(byte[] spki, out TrustedKey? key)
    {
        key = null;
        var reader = new AsnReader(spki, AsnEncodingRules.DER);
        var info = reader.ReadSequence();
        reader.ThrowIfNotEmpty();
        var algorithm = info.ReadSequence();
        var oid = algorithm.ReadObjectIdentifier();
        switch (oid)
        {
            case EcPublicKeyOid:
                var curve = algorithm.HasData && algorithm.PeekTag() == Asn1Tag.ObjectIdentifier ? algorithm.ReadObjectIdentifier() : "(none)";
                var kind = curve switch
                {
                    P256Oid => TrustedKeyAlgorithm.EcdsaP256,
                    P384Oid => TrustedKeyAlgorithm.EcdsaP384,
                    _ => (TrustedKeyAlgorithm?)null,
                };
                if (kind is null)
                {
                    return $"unsupported elliptic curve {curve}; P-256 and P-384 are supported";
                }

                var ecdsa = ECDsa.Create();
                ecdsa.ImportSubjectPublicKeyInfo(spki, out _);
                key = new TrustedKey(kind.Value, spki, ecdsa, null);
                return null;
            case RsaOid:
                var rsa = RSA.Create();
                rsa.ImportSubjectPublicKeyInfo(spki, out _);
                if (rsa.KeySize < MinimumRsaBits)
                {
                    var bits = rsa.KeySize;
                    rsa.Dispose();
                    return $"RSA key of {bits} bits; at least {MinimumRsaBits} are required";
                }

                key = new TrustedKey(TrustedKeyAlgorithm.Rsa, spki, rsa, null);
                return null;
            case Ed25519Oid:
                var point = info.ReadBitString(out var unused);
                if (unused != 0 || point.Length != Ed25519PublicKeyParameters.KeySize)
                {
                    return "malformed PUBLIC KEY: an Ed25519 key is 32 bytes";
                }

                key = new TrustedKey(TrustedKeyAlgorithm.Ed25519, spki, null, new Ed25519PublicKeyParameters(point));
                return null;
            default:
                return $"unsupported key type {oid}";
        }
    }
}
