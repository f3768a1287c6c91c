using System.Formats.Asn1;
using System.Text;
using System.Text.Json.Nodes;
using PolicyWebhook.Provenance.Keys;
using PolicyWebhook.Provenance.Sigstore;
using PolicyWebhook.Tests.Shared;

namespace PolicyWebhook.Provenance.Tests.Sigstore;

/// <summary>
/// The test Sigstore (tests/Shared/TestSigstore) makes what the product's verifier accepts, in each of cosign's shapes,
/// and each broken variant fails at the step it is meant to.
/// </summary>
public sealed class TestSigstoreTests : IDisposable
{
    private const string Repository = "registry.test/team/app";
    private const string ImageDigest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private const string OtherDigest = "sha256:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

    private static readonly CertificateIdentity Expected = CertificateIdentity.Exact(TestSigstore.DefaultSubject, TestSigstore.DefaultIssuer);

    private readonly TestSigstore _sigstore = new();

    public static TheoryData<string, string> BrokenVariants => new()
    {
        { "other subject", "identity: " },
        { "other issuer", "identity: " },
        { "other CA", "certificate chain: " },
        { "expired at the integrated time", "certificate chain: " },
        { "SET by another key", "signed entry timestamp: " },
    };

    public void Dispose() => _sigstore.Dispose();

    [Fact]
    public void TrustedRootJson_Parsed_HoldsTheCaAndTheLog()
    {
        var root = TrustedRoot.Parse(_sigstore.TrustedRootJson);

        var authority = Assert.Single(root.CertificateAuthorities);
        Assert.Equal([_sigstore.Fulcio.Intermediate!.RawData, _sigstore.Fulcio.Root.RawData], authority.Chain.Select(c => c.RawData));
        var log = Assert.Single(root.TransparencyLogs);
        Assert.Equal(_sigstore.Rekor.LogId, log.KeyId);
        Assert.Equal("rekor.sigstore.test", log.NoteName);
        Assert.Empty(root.CtLogs);
    }

    [Fact]
    public void SignImageLegacy_DefaultSigner_Verifies()
    {
        var layer = _sigstore.SignImageLegacy(Repository, ImageDigest);

        var result = Verifier().Verify(CosignSignatureBundle.Create(layer.Certificate, layer.Signature, Encoding.UTF8.GetBytes(layer.RekorBundle)), Artifact.FromBytes(layer.Payload), Expected, null);

        Assert.True(result.Verified, result.Failure);
        Assert.Equal([_sigstore.SigningTime], result.SigningTimes);
        Assert.Equal(ImageDigest, ManifestDigestOf(layer.Payload));
        Assert.Equal(Repository, JsonNode.Parse(layer.Payload)!["critical"]!["identity"]!["docker-reference"]!.GetValue<string>());
        Assert.Equal(4, layer.Annotations.Count);
    }

    [Fact]
    public void SignImageBundle_DefaultSigner_Verifies()
    {
        var bundle = _sigstore.SignImageBundle(ImageDigest);

        var result = Verifier().VerifyKeyless(bundle, Digest(ImageDigest), Expected);

        Assert.True(result.Verified, result.Failure);
        Assert.Equal([_sigstore.SigningTime], result.SigningTimes);
        var entry = Bundle.Parse(bundle).LogEntries[0];
        Assert.Equal(entry.LogIndex - TestSigstore.ShardOffset, entry.Proof!.LogIndex);
    }

    [Fact]
    public void SignImageDsseBundle_DefaultSigner_Verifies()
    {
        var bundle = _sigstore.SignImageDsseBundle(Repository, ImageDigest);

        var result = Verifier().VerifyKeyless(bundle, Digest(ImageDigest), Expected);

        Assert.True(result.Verified, result.Failure);
        Assert.Equal("dsse", Bundle.Parse(bundle).LogEntries[0].Kind);
    }

    [Fact]
    public void SignImageBundle_EmailLegacyIssuerRootOnlyCaAndExtensions_VerifiesAndCarriesThem()
    {
        using var sigstore = new TestSigstore(withIntermediate: false);
        var signing = new TestSigning
        {
            Subject = "release@example.test",
            Issuer = "https://accounts.example.test",
            IssuerExtensions = TestIssuerExtensions.Legacy,
            Extensions = new Dictionary<string, string> { [TestCertificateAuthority.SourceRepositoryUriOid] = "https://github.com/example/app" },
        };

        var bundle = sigstore.SignImageBundle(ImageDigest, signing);

        var result = new BundleVerifier(TrustedRoot.Parse(sigstore.TrustedRootJson)).VerifyKeyless(bundle, Digest(ImageDigest), CertificateIdentity.Exact(signing.Subject, signing.Issuer));
        Assert.True(result.Verified, result.Failure);
        var extension = Bundle.Parse(bundle).Certificate!.Extensions[TestCertificateAuthority.SourceRepositoryUriOid]!;
        Assert.Equal("https://github.com/example/app", new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadCharacterString(UniversalTagNumber.UTF8String));
    }

    [Theory]
    [MemberData(nameof(BrokenVariants))]
    public void SignImageLegacy_BrokenVariant_FailsAtItsStep(string variant, string step)
    {
        var layer = _sigstore.SignImageLegacy(Repository, ImageDigest, Broken(variant));

        var result = Verifier().Verify(CosignSignatureBundle.Create(layer.Certificate, layer.Signature, Encoding.UTF8.GetBytes(layer.RekorBundle)), Artifact.FromBytes(layer.Payload), Expected, null);

        Assert.StartsWith(step, result.Failure, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BrokenVariants))]
    public void SignImageBundle_BrokenVariant_FailsAtItsStep(string variant, string step)
    {
        var result = Verifier().VerifyKeyless(_sigstore.SignImageBundle(ImageDigest, Broken(variant)), Digest(ImageDigest), Expected);

        Assert.StartsWith(step, result.Failure, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BrokenVariants))]
    public void SignImageDsseBundle_BrokenVariant_FailsAtItsStep(string variant, string step)
    {
        var result = Verifier().VerifyKeyless(_sigstore.SignImageDsseBundle(Repository, ImageDigest, Broken(variant)), Digest(ImageDigest), Expected);

        Assert.StartsWith(step, result.Failure, StringComparison.Ordinal);
    }

    // The verifier checks the signature over the payload it is given; that the payload names the image is the caller's check.
    [Fact]
    public void SignImageLegacy_PayloadOfAnotherDigest_VerifiesAndNamesThatDigest()
    {
        var layer = _sigstore.SignImageLegacy(Repository, ImageDigest, new TestSigning { SignedDigest = OtherDigest });

        var result = Verifier().Verify(CosignSignatureBundle.Create(layer.Certificate, layer.Signature, Encoding.UTF8.GetBytes(layer.RekorBundle)), Artifact.FromBytes(layer.Payload), Expected, null);

        Assert.True(result.Verified, result.Failure);
        Assert.Equal(OtherDigest, ManifestDigestOf(layer.Payload));
    }

    [Fact]
    public void SignImageBundle_MessageOfAnotherDigest_FailsAtTheSignature()
    {
        var result = Verifier().VerifyKeyless(_sigstore.SignImageBundle(ImageDigest, new TestSigning { SignedDigest = OtherDigest }), Digest(ImageDigest), Expected);

        Assert.StartsWith("signature: the bundle's message digest ", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void SignImageDsseBundle_SubjectOfAnotherDigest_FailsAtTheSignature()
    {
        var result = Verifier().VerifyKeyless(_sigstore.SignImageDsseBundle(Repository, ImageDigest, new TestSigning { SignedDigest = OtherDigest }), Digest(ImageDigest), Expected);

        Assert.StartsWith("signature: the artifact ", result.Failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(6)]
    [InlineData(16)]
    public void Append_AnyTreeSize_ProofAndCheckpointVerify(int filler)
    {
        using var log = new TestRekorLog("https://log.test", filler);

        var entry = log.Append("{}"u8.ToArray(), DateTimeOffset.UnixEpoch.AddDays(1));

        Assert.True(MerkleTree.VerifyInclusion(entry.TreeIndex, entry.TreeSize, MerkleTree.LeafHash(entry.Body), entry.Hashes, entry.RootHash));
        var checkpoint = SignedCheckpoint.Parse(entry.Checkpoint);
        Assert.Equal(entry.TreeSize, checkpoint.TreeSize);
        Assert.Equal(entry.RootHash, checkpoint.RootHash);
        checkpoint.VerifySignedBy(new TransparencyLog(log.BaseUrl, log.LogId, Key(log.PublicKeyDer), new TimeWindow(DateTimeOffset.UnixEpoch, null)));
    }

    private BundleVerifier Verifier() => new(TrustedRoot.Parse(_sigstore.TrustedRootJson));

    private static TestSigning Broken(string variant) => variant switch
    {
        "other subject" => new TestSigning { Subject = "https://github.com/mallory/app/.github/workflows/release.yml@refs/heads/main" },
        "other issuer" => new TestSigning { Issuer = "https://accounts.google.com" },
        "other CA" => new TestSigning { FromOtherCa = true },
        "expired at the integrated time" => new TestSigning { ExpiredAtIntegratedTime = true },
        "SET by another key" => new TestSigning { SetSignedByOtherKey = true },
        _ => throw new ArgumentOutOfRangeException(nameof(variant), variant, null),
    };

    private static Artifact Digest(string digest) => Artifact.TryParseDigest(digest, out var artifact) ? artifact : throw new ArgumentException(digest);

    private static string ManifestDigestOf(byte[] payload) => JsonNode.Parse(payload)!["critical"]!["image"]!["docker-manifest-digest"]!.GetValue<string>();

    private static TrustedKey Key(byte[] spki) => TrustedKey.TryFromSubjectPublicKeyInfo(spki, out var key, out var error) ? key : throw new ArgumentException(error);
}
