using System.Text.RegularExpressions;
using PolicyWebhook.Provenance.Keys;
using PolicyWebhook.Provenance.Sigstore;
using PolicyWebhook.Tests.Shared;

namespace PolicyWebhook.Provenance.Tests.Sigstore;

/// <summary>The verifier's API as image verification calls it: keyless by identity (exact or pattern), by key, by digest.</summary>
public sealed class BundleVerifierTests
{
    private const string GitHub = "https://token.actions.githubusercontent.com";
    private static readonly Artifact A = Artifact.FromFile(SigstoreConformance.PathOf("conformance/a.txt"));

    [Fact]
    public void VerifyKeyless_SubjectPattern_VerifiesAndReportsTheSignerAndTime()
    {
        var identity = CertificateIdentity.Matching(@"https://github\.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.+", GitHub);

        var result = new BundleVerifier(TrustedRoot.Production).VerifyKeyless(Bundle("happy-path-v0.3"), A, identity);

        Assert.True(result.Verified, result.Failure);
        Assert.Equal(GitHub, result.Signer!.Issuer);
        Assert.Equal([DateTimeOffset.FromUnixTimeSeconds(1710869186)], result.SigningTimes);
    }

    [Fact]
    public void VerifyKeyless_DigestOnly_Verifies()
    {
        Assert.True(Artifact.TryParseDigest(A.Digest, out var digest));

        var result = new BundleVerifier(TrustedRoot.Production).VerifyKeyless(Bundle("happy-path-v0.3"), digest, Beacon());

        Assert.True(result.Verified, result.Failure);
    }

    [Fact]
    public void VerifyKeyless_BeforeTheIntegratedTime_RefusesAFutureEntry()
    {
        var clock = new FixedClock(DateTimeOffset.FromUnixTimeSeconds(1710869186 - 1));

        var result = new BundleVerifier(TrustedRoot.Production, clock).VerifyKeyless(Bundle("happy-path-v0.3"), A, Beacon());

        Assert.Equal("log entry: integrated time 2024-03-19 17:26:26Z is in the future", result.Failure);
    }

    [Fact]
    public void VerifyKeyless_IntegratedTimeWithoutItsSet_IsNoSigningTime()
    {
        var bundle = System.Text.Json.Nodes.JsonNode.Parse(Bundle("happy-path-v0.3"))!;
        bundle["verificationMaterial"]!["tlogEntries"]![0]!.AsObject().Remove("inclusionPromise");

        var result = new BundleVerifier(TrustedRoot.Production).VerifyKeyless(System.Text.Encoding.UTF8.GetBytes(bundle.ToJsonString()), A, Beacon());

        Assert.Equal("timestamp: the entry of https://rekor.sigstore.dev has no signed integrated time, and the bundle has no RFC 3161 timestamp", result.Failure);
    }

    [Fact]
    public void VerifyWithKey_ManagedKeyBundle_Verifies()
    {
        var key = TrustedKey.Parse(File.ReadAllText(SigstoreConformance.PathOf("conformance/managed-key-happy-path/key.pub")));

        var result = new BundleVerifier(TrustedRoot.Production).VerifyWithKey(Bundle("managed-key-happy-path"), A, key);

        Assert.True(result.Verified, result.Failure);
        Assert.Null(result.Signer);
    }

    [Fact]
    public void VerifyWithKey_KeylessBundle_Fails()
    {
        var key = TrustedKey.Parse(File.ReadAllText(SigstoreConformance.PathOf("conformance/managed-key-happy-path/key.pub")));

        var result = new BundleVerifier(TrustedRoot.Production).VerifyWithKey(Bundle("happy-path-v0.3"), A, key);

        Assert.Equal("key: the bundle was signed with a certificate, and a key was given", result.Failure);
    }

    [Theory]
    [InlineData("sha256:A0CFC71271D6E278E57CD332FF957C3F7043FDDA354C4CBB190A30D56EFA01BF", true)]
    [InlineData("sha256:a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf", true)]
    [InlineData("sha256:a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01b", false)]
    [InlineData("sha512:a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf", false)]
    [InlineData("sha256:g0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf", false)]
    public void TryParseDigest_VariousTexts_OnlySha256AndSixtyFourHexDigitsParse(string text, bool parses)
    {
        Assert.Equal(parses, Artifact.TryParseDigest(text, out _));
    }

    private static CertificateIdentity Beacon() => CertificateIdentity.Exact(
        "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main", GitHub);

    private static byte[] Bundle(string name) => File.ReadAllBytes(SigstoreConformance.PathOf($"conformance/{name}/bundle.sigstore.json"));

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
