using System.Text.Json.Nodes;
using PolicyWebhook.Engine.Images;
using PolicyWebhook.Provenance.Formats;
using static PolicyWebhook.Provenance.Tests.Verification.ProvenanceFixtures;

namespace PolicyWebhook.Provenance.Tests.Verification;

/// <summary>Notary Project signatures: the fixture's (shop/app:1.4), and signatures made here by a test certificate authority.</summary>
public sealed class NotaryTests
{
    private const string App14 = "sha256:5878dac7ea41f56002ef8f8803046d64f534dd3aedb349f8400b58b9ac3af89a";

    private readonly FileSystemRegistry _registry = new();

    [Fact]
    public async Task VerifyAsync_FixtureSignatureMovedToAnotherImage_ListedForTheOtherDigestOnly()
    {
        _registry.PutManifest("shop/app", Cosign.Tag(App20, string.Empty), _registry.Blob(_registry.Tag("shop/app", Cosign.Tag(App14, string.Empty))!)!);

        var facts = await VerifyAsync(App20, Key("notation"));

        Assert.Empty(facts.SignedBy);
        Assert.Equal([("notation", App14)], facts.SignaturesForOtherDigests);
    }

    [Theory]
    [InlineData("2026-11-27T16:00:00Z")]
    [InlineData("2036-11-25T00:00:00Z")]
    public async Task VerifyAsync_FixtureCertificateNotValidAtTheTime_NotCounted(string now)
    {
        var facts = await VerifyAsync(App14, Key("notation"), new FixedTime(DateTimeOffset.Parse(now, null)));

        Assert.Empty(facts.SignedBy);
    }

    [Fact]
    public async Task VerifyAsync_FixtureSignatureWithOneBitFlipped_NotCounted()
    {
        var index = JsonNode.Parse(_registry.Blob(_registry.Tag("shop/app", Cosign.Tag(App14, string.Empty))!)!)!;
        var manifest = JsonNode.Parse(_registry.Blob(index["manifests"]![0]!["digest"]!.GetValue<string>())!)!;
        var jws = JsonNode.Parse(_registry.Blob(manifest["layers"]![0]!["digest"]!.GetValue<string>())!)!;
        var signature = System.Buffers.Text.Base64Url.DecodeFromChars(jws["signature"]!.GetValue<string>());
        jws["signature"] = System.Buffers.Text.Base64Url.EncodeToString(TestArtifacts.Flipped(signature, 100));
        _registry.PutManifest("shop/app", Cosign.Tag(App14, string.Empty), "{}"u8.ToArray());
        TestArtifacts.PublishNotarySignature(_registry, App14, TestArtifacts.Serialize(jws));

        var facts = await VerifyAsync(App14, Key("notation"));

        Assert.Empty(facts.SignedBy);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task VerifyAsync_LeafChainingToTheTrustedRoot_Signed(bool ecdsa)
    {
        using var signer = new TestNotarySigner(ecdsa);
        TestArtifacts.PublishNotarySignature(_registry, App20, signer.Sign(App20));

        var facts = await VerifyAsync(App20, signer.Source("ca"), TimeProvider.System);

        Assert.Equal(["ca"], facts.SignedBy);
    }

    [Fact]
    public async Task VerifyAsync_LeafOfAnotherAuthority_NotCounted()
    {
        using var signer = new TestNotarySigner();
        using var other = new TestNotarySigner();
        TestArtifacts.PublishNotarySignature(_registry, App20, signer.Sign(App20));

        var facts = await VerifyAsync(App20, other.Source("ca"), TimeProvider.System);

        Assert.Empty(facts.SignedBy);
    }

    [Fact]
    public async Task VerifyAsync_LeafWithoutCodeSigning_NotCounted()
    {
        using var signer = new TestNotarySigner(codeSigning: false);
        TestArtifacts.PublishNotarySignature(_registry, App20, signer.Sign(App20));

        var facts = await VerifyAsync(App20, signer.Source("ca"), TimeProvider.System);

        Assert.Empty(facts.SignedBy);
    }

    [Fact]
    public async Task VerifyAsync_UnknownCriticalHeader_NotCounted()
    {
        using var signer = new TestNotarySigner();
        TestArtifacts.PublishNotarySignature(_registry, App20, signer.Sign(App20, "io.cncf.notary.signingScheme", "io.cncf.notary.verificationPlugin"));

        var facts = await VerifyAsync(App20, signer.Source("ca"), TimeProvider.System);

        Assert.Empty(facts.SignedBy);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("""{"payload":"!","protected":"!","header":{"x5c":["!"]},"signature":"!"}""")]
    [InlineData("""{"payload":"e30","protected":"e30","header":{"x5c":[]},"signature":"AA"}""")]
    public async Task VerifyAsync_MalformedJws_NotCountedAndNoException(string jws)
    {
        using var signer = new TestNotarySigner();
        TestArtifacts.PublishNotarySignature(_registry, App20, System.Text.Encoding.UTF8.GetBytes(jws));

        var facts = await VerifyAsync(App20, signer.Source("ca"), TimeProvider.System);

        Assert.Empty(facts.SignedBy);
    }

    [Fact]
    public async Task VerifyAsync_NoCertificateAmongTheKeys_NotationSignatureNotFetched()
    {
        await VerifyAsync(App14, Key("A"));

        // The referrer manifest is read (only it says what it is), its JWS is not.
        Assert.DoesNotContain(_registry.Calls, c => c.StartsWith("blob", StringComparison.Ordinal));
    }

    private Task<ImageFacts> VerifyAsync(string digest, TrustedKeySource key, TimeProvider? time = null) =>
        new ImageVerifier(_registry, new InlineKeyMaterial(), time ?? Clock).VerifyAsync(
            ImageReference.Parse($"{Host}/shop/app@{digest}"), digest, SignatureEntry(key), TestContext.Current.CancellationToken);
}
