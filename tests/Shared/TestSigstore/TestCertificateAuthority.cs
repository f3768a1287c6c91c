using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace PolicyWebhook.Tests.Shared;

/// <summary>Which issuer extensions a test leaf carries: Fulcio's current 1.8 (DER UTF8String), the legacy 1.1 (raw string), or both.</summary>
internal enum TestIssuerExtensions
{
    Current,
    Legacy,
    Both,
}

/// <summary>
/// A Fulcio-like certificate authority for tests, in memory: a self-signed P-256 root and optionally an intermediate,
/// issuing short-lived code-signing leaves for an OIDC identity with Fulcio's extensions.
/// </summary>
internal sealed class TestCertificateAuthority : IDisposable
{
    public const string IssuerOid = "1.3.6.1.4.1.57264.1.8";
    public const string LegacyIssuerOid = "1.3.6.1.4.1.57264.1.1";
    public const string RunnerEnvironmentOid = "1.3.6.1.4.1.57264.1.11";
    public const string SourceRepositoryUriOid = "1.3.6.1.4.1.57264.1.12";
    public const string SourceRepositoryRefOid = "1.3.6.1.4.1.57264.1.14";
    private const string CodeSigningOid = "1.3.6.1.5.5.7.3.3";

    private readonly ECDsa _rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa? _intermediateKey;

    /// <summary>A CA valid for ten years from <paramref name="notBefore"/>, named after <paramref name="name"/>.</summary>
    public TestCertificateAuthority(string name, DateTimeOffset notBefore, bool withIntermediate)
    {
        var notAfter = notBefore.AddYears(10);
        var root = new CertificateRequest($"CN={name} root, O={name}", _rootKey, HashAlgorithmName.SHA256);
        AddCaExtensions(root, pathLength: withIntermediate ? 1 : 0);
        Root = root.CreateSelfSigned(notBefore, notAfter);
        if (withIntermediate)
        {
            _intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var intermediate = new CertificateRequest($"CN={name} intermediate, O={name}", _intermediateKey, HashAlgorithmName.SHA256);
            AddCaExtensions(intermediate, pathLength: 0);

            // As Fulcio's: the intermediate is limited to code signing, the root is not.
            intermediate.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(CodeSigningOid)], critical: false));
            intermediate.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Root, includeKeyIdentifier: true, includeIssuerAndSerial: false));
            using var issued = intermediate.Create(Root, notBefore, notAfter, Serial());
            Intermediate = issued.CopyWithPrivateKey(_intermediateKey);
        }
    }

    /// <summary>The self-signed root, with its private key.</summary>
    public X509Certificate2 Root { get; }

    /// <summary>The intermediate the leaves are issued by, with its private key; null when the root issues them.</summary>
    public X509Certificate2? Intermediate { get; }

    /// <summary>The CA's chain, leaf-most first and the root last, as a trusted root's <c>certChain</c> lists it.</summary>
    public IReadOnlyList<X509Certificate2> Chain => Intermediate is null ? [Root] : [Intermediate, Root];

    /// <summary>The chain as cosign's <c>dev.sigstore.cosign/chain</c> annotation holds it: intermediate then root, PEM.</summary>
    public string ChainPem => string.Concat(Chain.Select(Pem));

    /// <summary>A certificate's PEM, ending with a newline as cosign writes it.</summary>
    public static string Pem(X509Certificate2 certificate) => certificate.ExportCertificatePem() + "\n";

    /// <summary>
    /// A Fulcio-like leaf for <paramref name="key"/>: empty subject, a critical SAN (URI when the subject has a scheme,
    /// email otherwise), the issuer extension(s), code-signing EKU and the extra extensions (OID to DER UTF8String value).
    /// </summary>
    public X509Certificate2 Issue(
        ECDsa key,
        string subject,
        string issuer,
        TestIssuerExtensions issuerExtensions,
        IReadOnlyDictionary<string, string> extensions,
        DateTimeOffset notBefore,
        DateTimeOffset notAfter)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(extensions);
        var request = new CertificateRequest(new X500DistinguishedName(string.Empty), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(CodeSigningOid)], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var issuing = Intermediate ?? Root;
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuing, includeKeyIdentifier: true, includeIssuerAndSerial: false));

        // Fulcio leaves have an empty subject, so the SAN is critical (RFC 5280 §4.2.1.6).
        var names = new SubjectAlternativeNameBuilder();
        if (subject.Contains("://", StringComparison.Ordinal))
        {
            names.AddUri(new Uri(subject));
        }
        else
        {
            names.AddEmailAddress(subject);
        }

        request.CertificateExtensions.Add(names.Build(critical: true));
        if (issuerExtensions is TestIssuerExtensions.Current or TestIssuerExtensions.Both)
        {
            request.CertificateExtensions.Add(new X509Extension(IssuerOid, Utf8String(issuer), critical: false));
        }

        if (issuerExtensions is TestIssuerExtensions.Legacy or TestIssuerExtensions.Both)
        {
            request.CertificateExtensions.Add(new X509Extension(LegacyIssuerOid, Encoding.UTF8.GetBytes(issuer), critical: false));
        }

        foreach (var (oid, value) in extensions)
        {
            request.CertificateExtensions.Add(new X509Extension(oid, Utf8String(value), critical: false));
        }

        using var issued = request.Create(issuing, notBefore, notAfter, Serial());
        return issued.CopyWithPrivateKey(key);
    }

    public void Dispose()
    {
        Root.Dispose();
        Intermediate?.Dispose();
        _rootKey.Dispose();
        _intermediateKey?.Dispose();
    }

    private static void AddCaExtensions(CertificateRequest request, int pathLength)
    {
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLength, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
    }

    private static byte[] Utf8String(string value)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteCharacterString(UniversalTagNumber.UTF8String, value);
        return writer.Encode();
    }

    private static byte[] Serial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        return serial;
    }
}
