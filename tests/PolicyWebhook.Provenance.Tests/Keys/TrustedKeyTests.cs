using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using PolicyWebhook.Provenance.Keys;
using PolicyWebhook.Provenance.Tests.Verification;

namespace PolicyWebhook.Provenance.Tests.Keys;

public sealed class TrustedKeyTests
{
    private static readonly byte[] Data = Encoding.UTF8.GetBytes("""{"critical":{"image":{"docker-manifest-digest":"sha256:00"}}}""");

    public static TheoryData<string> Algorithms() => [.. TestKeys.Algorithms];

    [Theory]
    [InlineData("A", "1B8WivkQL4oqcLh5Ev2QIBiXpVM7F6HWK58RLZ6KTfU=")]
    [InlineData("B", "EPgOPlI7D6Kj3MLFuy/vFadwUI2BGT9sjd0cWw7XbSo=")]
    [InlineData("S", "7pvcV8sv9W9gm/uXQdS1W35hn/0j74LOUjnITyHMutM=")]
    [InlineData("ec-p256", "A6Bned3qVPPZQi7SDoEnNyfpOFKwz27IMi/NIIOtldI=")]
    public void Parse_FixtureKey_HintIsTheBundleHint(string name, string hint)
    {
        var key = TrustedKey.Parse(ProvenanceFixtures.Key(name).Pem!);

        Assert.Equal(TrustedKeyAlgorithm.EcdsaP256, key.Algorithm);
        Assert.Equal(hint, key.Hint);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Verify_SignatureByTheKey_True(string algorithm)
    {
        var (pem, sign) = TestKeys.Generate(algorithm);
        var key = TrustedKey.Parse(pem);

        Assert.True(key.Verify(Data, sign(Data)));
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Verify_SignatureByAnotherKeyOfTheSameKind_False(string algorithm)
    {
        var (pem, _) = TestKeys.Generate(algorithm);
        var (_, otherSign) = TestKeys.Generate(algorithm);

        Assert.False(TrustedKey.Parse(pem).Verify(Data, otherSign(Data)));
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Verify_OtherData_False(string algorithm)
    {
        var (pem, sign) = TestKeys.Generate(algorithm);

        Assert.False(TrustedKey.Parse(pem).Verify(TestArtifacts.Flipped(Data, 10), sign(Data)));
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Verify_MalformedSignature_FalseWithoutThrowing(string algorithm)
    {
        var key = TrustedKey.Parse(TestKeys.Generate(algorithm).Pem);

        Assert.False(key.Verify(Data, []));
        Assert.False(key.Verify(Data, [0x30, 0x03, 0x02, 0x01]));
        Assert.False(key.Verify(Data, new byte[4096]));
    }

    [Fact]
    public void Parse_P384_VerifiesWithSha384()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var key = TrustedKey.Parse(ecdsa.ExportSubjectPublicKeyInfoPem());

        Assert.Equal(TrustedKeyAlgorithm.EcdsaP384, key.Algorithm);
        Assert.False(key.Verify(Data, ecdsa.SignData(Data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)));
    }

    [Fact]
    public void TryParse_Rsa1024_RefusedWithTheSize()
    {
        using var rsa = RSA.Create(1024);

        Assert.False(TrustedKey.TryParse(rsa.ExportSubjectPublicKeyInfoPem(), out var key, out var error));
        Assert.Null(key);
        Assert.Equal("RSA key of 1024 bits; at least 2048 are required", error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("hello")]
    [InlineData("-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n")]
    [InlineData("-----BEGIN RSA PUBLIC KEY-----\nMAA=\n-----END RSA PUBLIC KEY-----\n")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n")]
    [InlineData("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n")]
    public void TryParse_NotAPublicKeyPem_Refused(string pem)
    {
        var expected = pem.Contains("BEGIN PUBLIC KEY", StringComparison.Ordinal) ? "malformed PUBLIC KEY"
            : pem.Contains("BEGIN CERTIFICATE", StringComparison.Ordinal) ? "malformed CERTIFICATE"
            : "not a PEM PUBLIC KEY";

        Assert.False(TrustedKey.TryParse(pem, out _, out var error));
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Certificate_NotationTrustAnchorThatVerifiesNoCosignSignature()
    {
        using var rsa = RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=signer", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));

        var key = TrustedKey.Parse(certificate.ExportCertificatePem());

        Assert.Equal(TrustedKeyAlgorithm.Certificate, key.Algorithm);
        Assert.Equal(certificate.RawData, key.Certificate!.RawData);
        Assert.False(key.Verify(Data, rsa.SignData(Data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)));
    }

    [Fact]
    public void TryParse_GarbageInsideThePem_RefusedAsMalformed()
    {
        var pem = "-----BEGIN PUBLIC KEY-----\n" + Convert.ToBase64String(Encoding.UTF8.GetBytes("not DER at all, just text")) + "\n-----END PUBLIC KEY-----\n";

        Assert.False(TrustedKey.TryParse(pem, out _, out var error));
        Assert.StartsWith("malformed PUBLIC KEY", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_Ed448_UnsupportedKeyType()
    {
        var ed448 = new Ed448PrivateKeyParameters(new SecureRandom()).GeneratePublicKey();
        var pem = TestKeys.PemOf(SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(ed448).GetDerEncoded());

        Assert.False(TrustedKey.TryParse(pem, out _, out var error));
        Assert.Equal("unsupported key type 1.3.101.113", error);
    }

    [Fact]
    public void TryParse_P521_UnsupportedCurve()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP521);

        Assert.False(TrustedKey.TryParse(ecdsa.ExportSubjectPublicKeyInfoPem(), out _, out var error));
        Assert.Equal("unsupported elliptic curve 1.3.132.0.35; P-256 and P-384 are supported", error);
    }

    [Fact]
    public void Parse_Garbage_ThrowsKeyMaterialException()
    {
        var exception = Assert.Throws<KeyMaterialException>(() => TrustedKey.Parse("hello"));

        Assert.Equal("not a PEM PUBLIC KEY", exception.Message);
    }

    [Fact]
    public void VerifySha256Digest_P256AndRsa_VerifyAPrehashedMessage()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var rsa = RSA.Create(2048);
        var hash = SHA256.HashData(Data);

        Assert.True(TrustedKey.Parse(ecdsa.ExportSubjectPublicKeyInfoPem()).VerifySha256Digest(hash, ecdsa.SignData(Data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)));
        Assert.True(TrustedKey.Parse(rsa.ExportSubjectPublicKeyInfoPem()).VerifySha256Digest(hash, rsa.SignData(Data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)));
        Assert.False(TrustedKey.Parse(ecdsa.ExportSubjectPublicKeyInfoPem()).VerifySha256Digest(hash.AsSpan(1), []));
    }
}
