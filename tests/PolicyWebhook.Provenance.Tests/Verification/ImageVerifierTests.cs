using System.Security.Cryptography;
using System.Text.Json.Nodes;
using PolicyWebhook.Engine.Images;
using PolicyWebhook.Provenance.Formats;
using static PolicyWebhook.Provenance.Tests.Verification.ProvenanceFixtures;

namespace PolicyWebhook.Provenance.Tests.Verification;

public sealed class ImageVerifierTests
{
    private readonly FileSystemRegistry _registry = new();

    private ImageVerifier Verifier => new(_registry, new InlineKeyMaterial());

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ResolveDigestAsync_DigestInTheReference_NoRegistryCall()
    {
        var digest = await Verifier.ResolveDigestAsync(ImageReference.Parse($"{ProvenanceFixtures.Host}/shop/app:1.0@{App20}"), Token);

        Assert.Equal(App20, digest);
        Assert.Empty(_registry.Calls);
    }

    [Fact]
    public async Task ResolveDigestAsync_Tag_TheManifestDigest()
    {
        Assert.Equal(App10, await Verifier.ResolveDigestAsync(ImageReference.Parse($"{ProvenanceFixtures.Host}/shop/app:1.0"), Token));
        Assert.Equal(["manifest shop/app 1.0"], _registry.Calls);
    }

    [Fact]
    public async Task ResolveDigestAsync_MissingTag_ImageNotFound()
    {
        var exception = await Assert.ThrowsAsync<ImageNotFoundException>(() => Verifier.ResolveDigestAsync(ImageReference.Parse($"{ProvenanceFixtures.Host}/shop/app:9.9"), Token));

        Assert.Equal($"image shop/app:9.9 does not exist in registry {ProvenanceFixtures.Host}", exception.Message);
    }

    [Fact]
    public async Task ResolveDigestAsync_NoTag_Latest()
    {
        await Assert.ThrowsAsync<ImageNotFoundException>(() => Verifier.ResolveDigestAsync(ImageReference.Parse($"{ProvenanceFixtures.Host}/shop/app"), Token));

        Assert.Equal(["manifest shop/app latest"], _registry.Calls);
    }

    [Theory]
    [InlineData("nginx", "library/nginx")]
    [InlineData("docker.io/bitnami/redis:7", "bitnami/redis")]
    [InlineData("ghcr.io/org/team/app@sha256:00", "org/team/app")]
    [InlineData("localhost:5000/app", "app")]
    public void RepositoryOf_Reference_PathAfterTheHost(string image, string repository) =>
        Assert.Equal(repository, ImageVerifier.RepositoryOf(ImageReference.Parse(image)));

    [Fact]
    public async Task VerifyAsync_SignaturesOnly_ReadsNoAttestations()
    {
        await VerifyAsync(App12, ProvenanceFixtures.SignatureEntry(ProvenanceFixtures.Key("A")));

        Assert.DoesNotContain(_registry.Calls, c => c.EndsWith(".att", StringComparison.Ordinal));
        Assert.Equal(1, _registry.Calls.Count(c => c.StartsWith("blob", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task VerifyAsync_ScanOnly_ReadsNoSignatures()
    {
        await VerifyAsync(App12, ProvenanceFixtures.ScanEntry(ProvenanceFixtures.Key("S")));

        Assert.DoesNotContain(_registry.Calls, c => c.EndsWith(".sig", StringComparison.Ordinal));
        Assert.Equal(1, _registry.Calls.Count(c => c.StartsWith("blob", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task VerifyAsync_EntryWithNothingToVerify_NoRegistryCall()
    {
        var facts = await VerifyAsync(App10, ProvenanceFixtures.SignatureEntry());

        Assert.Equal(App10, facts.Digest);
        Assert.Empty(_registry.Calls);
    }

    [Theory]
    [InlineData("sha512:00")]
    [InlineData("sha256:../../../v2/_catalog")]
    [InlineData("sha256:42DB45AE16FD87C2098919D2C45ECF87EF3CE21A7075E8A6A2C2C7FF88338C7F")]
    public async Task VerifyAsync_DigestNotSha256Hex_NothingVerifiedAndNoRegistryCall(string digest)
    {
        var facts = await VerifyAsync(digest, ProvenanceFixtures.SignatureEntry(ProvenanceFixtures.Key("A")));

        Assert.Empty(facts.SignedBy);
        Assert.Empty(_registry.Calls);
    }

    [Fact]
    public async Task VerifyAsync_MoreSignatureLayersThanRead_ReadsAtMostTheBound()
    {
        using var signer = new TestSigner("K");
        var payload = TestArtifacts.SimpleSigningPayload(App20);
        TestArtifacts.PublishLegacy(_registry, App20, ".sig", [.. Enumerable.Range(0, 40).Select(i => TestArtifacts.SignatureLayer(_registry, [.. payload, (byte)' ', (byte)i], [1, 2, 3]))]);

        await VerifyAsync(App20, ProvenanceFixtures.SignatureEntry(signer.Source));

        Assert.Equal(ImageVerifier.MaxArtifacts, _registry.Calls.Count(c => c.StartsWith("blob", StringComparison.Ordinal)));
    }

    public static TheoryData<string> KeyAlgorithms() => [.. Keys.TestKeys.Algorithms];

    [Theory]
    [MemberData(nameof(KeyAlgorithms))]
    public async Task VerifyAsync_LegacySignatureByEveryKeyKind_Signed(string algorithm)
    {
        var (pem, sign) = Keys.TestKeys.Generate(algorithm);
        var payload = TestArtifacts.SimpleSigningPayload(App20);
        TestArtifacts.PublishLegacy(_registry, App20, ".sig", TestArtifacts.SignatureLayer(_registry, payload, sign(payload)));

        var facts = await VerifyAsync(App20, ProvenanceFixtures.SignatureEntry(new TrustedKeySource(algorithm, pem)));

        Assert.Equal([algorithm], facts.SignedBy);
    }

    [Fact]
    public async Task VerifyAsync_ManyAtOnceWithOneVerifier_EachGetsItsOwnFacts()
    {
        var verifier = Verifier;
        var entry = new ImageVerificationEntry("e", ["**"], [ProvenanceFixtures.Key("A")], 1, new VulnerabilityRequirement([ProvenanceFixtures.Key("S")], null, null), null, RegistryErrorAction.Deny);
        var digests = Enumerable.Repeat(new[] { App10, App12, App20 }, 20).SelectMany(d => d).ToList();

        var facts = await Task.WhenAll(digests.Select(d => Task.Run(() => verifier.VerifyAsync(ImageReference.Parse($"{ProvenanceFixtures.Host}/shop/app@{d}"), d, entry, Token), Token)));

        Assert.All(facts, f => Assert.Equal(f.Digest == App20 ? [] : ["A"], f.SignedBy));
        Assert.All(facts, f => Assert.Equal(f.Digest == App20 ? 0 : 1, f.Attestations.Count));
    }

    [Fact]
    public async Task VerifyAsync_TwoKeysOneSigned_OnlyThatOne()
    {
        var facts = await VerifyAsync(App10, new ImageVerificationEntry("e", ["**"], [ProvenanceFixtures.Key("B"), ProvenanceFixtures.Key("A")], 2, null, null, RegistryErrorAction.Deny));

        Assert.Equal(["A"], facts.SignedBy);
        Assert.Equal($"{ProvenanceFixtures.Host}/shop/app@{App10}", facts.Image);
    }

    [Theory]
    [InlineData("https://slsa.dev/provenance/v0.2", false, false)]
    [InlineData("https://slsa.dev/provenance/v0.2", false, true)]
    [InlineData("https://slsa.dev/provenance/v1", true, false)]
    [InlineData("https://slsa.dev/provenance/v1", true, true)]
    public async Task VerifyAsync_ProvenanceAttestation_BuilderId(string predicateType, bool v1, bool asBundle)
    {
        using var builder = new TestSigner("ci");
        var predicate = v1
            ? new JsonObject { ["runDetails"] = new JsonObject { ["builder"] = new JsonObject { ["id"] = "https://ci.example/builder@v1" } } }
            : new JsonObject { ["builder"] = new JsonObject { ["id"] = "https://ci.example/builder@v1" } };
        var envelope = builder.Envelope(TestArtifacts.Statement(App20, predicateType, predicate, v1));
        if (asBundle)
        {
            TestArtifacts.PublishReferrer(_registry, App20, TestArtifacts.Bundle(envelope), predicateType);
        }
        else
        {
            TestArtifacts.PublishLegacy(_registry, App20, ".att", TestArtifacts.AttestationLayer(_registry, envelope, predicateType));
        }

        var facts = await VerifyAsync(App20, new ImageVerificationEntry("e", ["**"], [], 0, null, new ProvenanceRequirement([builder.Source], []), RegistryErrorAction.Deny));

        Assert.Equal([new AttestationFact(predicateType, "ci") { BuilderId = "https://ci.example/builder@v1" }], facts.Attestations);
    }

    [Fact]
    public async Task VerifyAsync_ProvenanceSignedWithTheScannerKey_NotCounted()
    {
        using var scanner = new TestSigner("S");
        using var builder = new TestSigner("ci");
        var statement = TestArtifacts.Statement(App20, "https://slsa.dev/provenance/v1", new JsonObject(), v1: true);
        TestArtifacts.PublishLegacy(_registry, App20, ".att", TestArtifacts.AttestationLayer(_registry, scanner.Envelope(statement), "https://slsa.dev/provenance/v1"));

        var facts = await VerifyAsync(App20, new ImageVerificationEntry(
            "e", ["**"], [], 0, new VulnerabilityRequirement([scanner.Source], null, null), new ProvenanceRequirement([builder.Source], []), RegistryErrorAction.Deny));

        Assert.Empty(facts.Attestations);
    }

    [Fact]
    public async Task VerifyAsync_ScanAsBundleReferrer_ReadFromTheStatement()
    {
        using var scanner = new TestSigner("S");
        var finished = DateTimeOffset.Parse("2026-01-02T03:04:05Z", null);
        var statement = TestArtifacts.Statement(App20, AttestationFact.VulnerabilityPredicate, TestArtifacts.VulnPredicate(finished, ("CVE-1", "HIGH"), ("CVE-2", "weird")));
        TestArtifacts.PublishReferrer(_registry, App20, TestArtifacts.Bundle(scanner.Envelope(statement)), AttestationFact.VulnerabilityPredicate);

        var facts = await VerifyAsync(App20, ProvenanceFixtures.ScanEntry(scanner.Source));

        var scan = Assert.Single(facts.Attestations).Scan!;
        Assert.Equal(finished, scan.FinishedOn);
        Assert.Equal([new Vulnerability("CVE-1", VulnerabilitySeverity.High), new Vulnerability("CVE-2", VulnerabilitySeverity.Unknown)], scan.Vulnerabilities);
    }

    [Fact]
    public async Task VerifyAsync_MessageSignatureBundleOverTheManifest_Signed()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var hash = Convert.FromHexString(App20[7..]);
        var bundle = TestArtifacts.Serialize(new JsonObject
        {
            ["mediaType"] = TestArtifacts.BundleType,
            ["messageSignature"] = new JsonObject
            {
                ["messageDigest"] = new JsonObject { ["algorithm"] = "SHA2_256", ["digest"] = Convert.ToBase64String(hash) },
                ["signature"] = Convert.ToBase64String(ecdsa.SignHash(hash, DSASignatureFormat.Rfc3279DerSequence)),
            },
        });
        TestArtifacts.PublishReferrer(_registry, App20, bundle, Cosign.SignPredicate);

        var facts = await VerifyAsync(App20, ProvenanceFixtures.SignatureEntry(new TrustedKeySource("K", ecdsa.ExportSubjectPublicKeyInfoPem())));

        Assert.Equal(["K"], facts.SignedBy);
    }

    [Fact]
    public async Task VerifyAsync_KeyThatDoesNotParse_KeyMaterialExceptionNamingIt()
    {
        var exception = await Assert.ThrowsAsync<KeyMaterialException>(() => VerifyAsync(App10, ProvenanceFixtures.SignatureEntry(new TrustedKeySource("prod", "hello"))));

        Assert.Equal("trusted key prod: not a PEM PUBLIC KEY", exception.Message);
    }

    [Fact]
    public void InlineKeyMaterial_SecretKey_TheHostMustReadIt()
    {
        var exception = Assert.Throws<KeyMaterialException>(() => new InlineKeyMaterial().ReadPem(new TrustedKeySource("prod", SecretName: "cosign", Key: "cosign.pub")));

        Assert.Equal("trusted key prod comes from Secret cosign key cosign.pub: only inline PEM is read here, the host must read the others", exception.Message);
    }

    private Task<ImageFacts> VerifyAsync(string digest, ImageVerificationEntry entry) =>
        Verifier.VerifyAsync(ImageReference.Parse($"{ProvenanceFixtures.Host}/shop/app@{digest}"), digest, entry, Token);
}
