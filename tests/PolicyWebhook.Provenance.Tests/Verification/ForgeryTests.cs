using System.Text.Json.Nodes;
using PolicyWebhook.Engine.Images;
using PolicyWebhook.Provenance.Formats;
using static PolicyWebhook.Provenance.Tests.Verification.ProvenanceFixtures;

namespace PolicyWebhook.Provenance.Tests.Verification;

/// <summary>Signatures and attestations moved, altered or broken: none may count, and none may throw.</summary>
public sealed class ForgeryTests
{
    private readonly FileSystemRegistry _registry = new();

    [Fact]
    public async Task VerifyAsync_SignatureCopiedFromAnotherImage_ListedForTheOtherDigestOnly()
    {
        _registry.PutManifest("shop/app", Cosign.Tag(App20, ".sig"), ManifestOfTag(Cosign.Tag(App10, ".sig")));

        var facts = await VerifyAsync(App20, ProvenanceFixtures.SignatureEntry(ProvenanceFixtures.Key("A")));

        Assert.Empty(facts.SignedBy);
        Assert.Equal([("A", App10)], facts.SignaturesForOtherDigests);
    }

    [Fact]
    public async Task VerifyAsync_BundleSignatureCopiedFromAnotherImage_ListedForTheOtherDigestOnly()
    {
        _registry.PutManifest("shop/app", Cosign.Tag(App20, string.Empty), ManifestOfTag(Cosign.Tag(App12, string.Empty)));

        var facts = await VerifyAsync(App20, ProvenanceFixtures.SignatureEntry(ProvenanceFixtures.Key("A")));

        Assert.Empty(facts.SignedBy);
        Assert.Equal([("A", App12)], facts.SignaturesForOtherDigests);
    }

    [Fact]
    public async Task VerifyAsync_SignatureWithOneBitFlipped_NotCounted()
    {
        var facts = await VerifyAlteredSignatureAsync(App10, layer =>
        {
            var signature = Convert.FromBase64String(layer["annotations"]![Cosign.SignatureAnnotation]!.GetValue<string>());
            layer["annotations"]![Cosign.SignatureAnnotation] = Convert.ToBase64String(TestArtifacts.Flipped(signature, -1));
        });

        Assert.Empty(facts.SignedBy);
        Assert.Empty(facts.SignaturesForOtherDigests);
    }

    [Fact]
    public async Task VerifyAsync_PayloadNamingAnotherDigestUnderTheSameSignature_NotCounted()
    {
        // 1.0's signature kept, its payload rewritten to name 2.0, and served as 2.0's signature.
        var facts = await VerifyAlteredSignatureAsync(App20, layer =>
        {
            var payload = _registry.Blob(layer["digest"]!.GetValue<string>())!;
            var forged = System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(payload).Replace(App10, App20, StringComparison.Ordinal));
            layer["digest"] = _registry.PutBlob(forged);
        });

        Assert.Empty(facts.SignedBy);
        Assert.Empty(facts.SignaturesForOtherDigests);
    }

    [Fact]
    public async Task VerifyAsync_BundleWithTamperedEnvelopeSignature_NotCounted()
    {
        using var signer = new TestSigner("A");
        var envelope = TestArtifacts.With(signer.Envelope(TestArtifacts.Statement(App20, Cosign.SignPredicate, new JsonObject(), v1: true)), e =>
            e["signatures"]![0]!["sig"] = Convert.ToBase64String(TestArtifacts.Flipped(Convert.FromBase64String(e["signatures"]![0]!["sig"]!.GetValue<string>()), 8)));
        TestArtifacts.PublishReferrer(_registry, App20, TestArtifacts.Bundle(envelope), Cosign.SignPredicate);

        var facts = await VerifyAsync(App20, ProvenanceFixtures.SignatureEntry(signer.Source));

        Assert.Empty(facts.SignedBy);
    }

    [Fact]
    public async Task VerifyAsync_AttestationCopiedFromAnotherImage_NotCounted()
    {
        _registry.PutManifest("shop/app", Cosign.Tag(App20, ".att"), ManifestOfTag(Cosign.Tag(App10, ".att")));

        var facts = await VerifyAsync(App20, ProvenanceFixtures.ScanEntry(ProvenanceFixtures.Key("S")));

        Assert.Empty(facts.Attestations);
    }

    [Fact]
    public async Task VerifyAsync_AttestationWhoseSubjectIsAnotherDigest_NotCounted()
    {
        using var scanner = new TestSigner("S");
        var statement = TestArtifacts.Statement(App10, AttestationFact.VulnerabilityPredicate, TestArtifacts.VulnPredicate(DateTimeOffset.UnixEpoch));
        TestArtifacts.PublishLegacy(_registry, App20, ".att", TestArtifacts.AttestationLayer(_registry, scanner.Envelope(statement), AttestationFact.VulnerabilityPredicate));
        TestArtifacts.PublishReferrer(_registry, App20, TestArtifacts.Bundle(scanner.Envelope(statement)), AttestationFact.VulnerabilityPredicate);

        var facts = await VerifyAsync(App20, ProvenanceFixtures.ScanEntry(scanner.Source));

        Assert.Empty(facts.Attestations);
    }

    [Fact]
    public async Task VerifyAsync_AttestationSignedByAnUntrustedKey_NotCountedForTheTrustedOne()
    {
        using var untrusted = new TestSigner("A");
        var statement = TestArtifacts.Statement(App20, AttestationFact.VulnerabilityPredicate, TestArtifacts.VulnPredicate(DateTimeOffset.UnixEpoch));
        TestArtifacts.PublishLegacy(_registry, App20, ".att", TestArtifacts.AttestationLayer(_registry, untrusted.Envelope(statement), AttestationFact.VulnerabilityPredicate));

        var facts = await VerifyAsync(App20, ProvenanceFixtures.ScanEntry(ProvenanceFixtures.Key("S")));

        Assert.Empty(facts.Attestations);
    }

    [Fact]
    public async Task VerifyAsync_FixtureAttestationCheckedWithKeyA_NotCounted()
    {
        var facts = await VerifyAsync(App10, ProvenanceFixtures.ScanEntry(ProvenanceFixtures.Key("A")));

        Assert.Empty(facts.Attestations);
    }

    [Fact]
    public async Task VerifyAsync_ScannerKeyAsSignatureKey_AttestationIsNoImageSignature()
    {
        var facts = await VerifyAsync(App10, ProvenanceFixtures.SignatureEntry(ProvenanceFixtures.Key("S")));

        Assert.Empty(facts.SignedBy);
        Assert.Empty(facts.SignaturesForOtherDigests);
    }

    [Fact]
    public async Task VerifyAsync_SignerKeyAsScannerKey_SignatureStatementIsNoScan()
    {
        var facts = await VerifyAsync(App12, ProvenanceFixtures.ScanEntry(ProvenanceFixtures.Key("A")));

        Assert.Empty(facts.Attestations);
    }

    public static TheoryData<string> Garbage() => ["{not json", "[]", "null", """{"mediaType":5}""", """{"payload":"!!!","payloadType":"application/vnd.in-toto+json","signatures":[{"sig":"%%%"}]}""", "\u0000\u0001"];

    [Theory]
    [MemberData(nameof(Garbage))]
    public async Task VerifyAsync_MalformedArtifactsBesideAValidSignature_OnlyTheValidOneCountsAndNothingThrows(string garbage)
    {
        using var signer = new TestSigner("K");
        var bytes = System.Text.Encoding.UTF8.GetBytes(garbage);
        var payload = TestArtifacts.SimpleSigningPayload(App20);
        var badLayer = TestArtifacts.SignatureLayer(_registry, bytes, signer.Sign(bytes));
        var badAnnotation = TestArtifacts.SignatureLayer(_registry, payload, bytes);
        var good = TestArtifacts.SignatureLayer(_registry, payload, signer.Sign(payload));
        TestArtifacts.PublishLegacy(_registry, App20, ".sig", badLayer, badAnnotation, good);
        TestArtifacts.PublishLegacy(_registry, App20, ".att", TestArtifacts.AttestationLayer(_registry, bytes, AttestationFact.VulnerabilityPredicate));
        TestArtifacts.PublishReferrer(_registry, App20, bytes, Cosign.SignPredicate);
        TestArtifacts.PublishReferrer(_registry, App20, TestArtifacts.With(TestArtifacts.Bundle(signer.Envelope(payload)), b => b["dsseEnvelope"] = JsonNode.Parse(garbage.StartsWith('{') && garbage.EndsWith('}') ? garbage : "{}")), AttestationFact.VulnerabilityPredicate);
        var entry = new ImageVerificationEntry("e", ["**"], [signer.Source], 1, new VulnerabilityRequirement([signer.Source], null, null), null, RegistryErrorAction.Deny);

        var facts = await VerifyAsync(App20, entry);

        Assert.Equal(["K"], facts.SignedBy);
        Assert.Empty(facts.Attestations);
    }

    [Theory]
    [MemberData(nameof(Garbage))]
    public async Task VerifyAsync_MalformedManifestsAndIndex_NothingCountsAndNothingThrows(string garbage)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(garbage);
        foreach (var suffix in new[] { ".sig", ".att", string.Empty })
        {
            _registry.PutManifest("shop/app", Cosign.Tag(App10, suffix), bytes);
        }

        var entry = new ImageVerificationEntry("e", ["**"], [ProvenanceFixtures.Key("A")], 1, new VulnerabilityRequirement([ProvenanceFixtures.Key("S")], null, null), null, RegistryErrorAction.Deny);
        var facts = await VerifyAsync(App10, entry);

        Assert.Empty(facts.SignedBy);
        Assert.Empty(facts.Attestations);
    }

    [Fact]
    public async Task VerifyAsync_ArtifactTheRegistryServesOversized_DoesNotCountAndDoesNotHideTheValidSignature()
    {
        // A second signature layer whose blob the client refuses (a push of a 5 MiB "signature"), beside A's real one.
        var refused = _registry.PutBlob("refused"u8.ToArray());
        _registry.Refused.Add(refused);
        var manifest = TestArtifacts.With(ManifestOfTag(Cosign.Tag(App10, ".sig")), m =>
        {
            var extra = m["layers"]![0]!.DeepClone();
            extra["digest"] = refused;
            m["layers"]!.AsArray().Insert(0, extra);
        });
        _registry.PutManifest("shop/app", Cosign.Tag(App10, ".sig"), manifest);

        var facts = await VerifyAsync(App10, ProvenanceFixtures.SignatureEntry(ProvenanceFixtures.Key("A")));

        Assert.Equal(["A"], facts.SignedBy);
        Assert.Null(facts.Unavailable);
    }

    [Fact]
    public async Task VerifyAsync_OnlySignatureRefused_IsUnsignedNotUnavailable()
    {
        // Were a refused artifact "unavailable", whoever may push could make onError: Allow admit an unsigned image.
        var layer = JsonNode.Parse(ManifestOfTag(Cosign.Tag(App10, ".sig")))!["layers"]![0]!["digest"]!.GetValue<string>();
        _registry.Refused.Add(layer);

        var facts = await VerifyAsync(App10, ProvenanceFixtures.SignatureEntry(ProvenanceFixtures.Key("A")));

        Assert.Empty(facts.SignedBy);
        Assert.Null(facts.Unavailable);
    }

    [Fact]
    public async Task VerifyAsync_OneKeyNamedTwice_CountsAsOneDistinctSigner()
    {
        // The same PEM inline and "from a Secret" (two names): requiredSignatures: 2 must not be met by one signer.
        var a = ProvenanceFixtures.Key("A");
        var entry = new ImageVerificationEntry("e", ["**"], [a with { Name = "inline" }, a with { Name = "secret keys/a.pub" }], 2, null, null, RegistryErrorAction.Deny);

        var facts = await VerifyAsync(App10, entry);

        Assert.Equal(["inline"], facts.SignedBy);
    }

    private Task<ImageFacts> VerifyAsync(string digest, ImageVerificationEntry entry) =>
        new ImageVerifier(_registry, new InlineKeyMaterial()).VerifyAsync(
            ImageReference.Parse($"{ProvenanceFixtures.Host}/shop/app@{digest}"), digest, entry, TestContext.Current.CancellationToken);

    private byte[] ManifestOfTag(string tag) => _registry.Blob(_registry.Tag("shop/app", tag)!)!;

    // shop/app:1.0's legacy signature (by A) with its layer changed, served as the signature of digest, verified with A.
    private Task<ImageFacts> VerifyAlteredSignatureAsync(string digest, Action<JsonNode> changeLayer)
    {
        var manifest = TestArtifacts.With(ManifestOfTag(Cosign.Tag(App10, ".sig")), m => changeLayer(m["layers"]![0]!));
        _registry.PutManifest("shop/app", Cosign.Tag(digest, ".sig"), manifest);
        return VerifyAsync(digest, ProvenanceFixtures.SignatureEntry(ProvenanceFixtures.Key("A")));
    }
}
