using System.Text;
using PolicyWebhook.Provenance.Sigstore;
using PolicyWebhook.Tests.Shared;

namespace PolicyWebhook.Provenance.Tests.Sigstore;

/// <summary>Hostile bundles (truncated, malformed, oversized, deeply nested, mutated) give a clear failure, never an exception.</summary>
public sealed class HostileBundleTests
{
    private const string Beacon = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";

    private static readonly CertificateIdentity Identity = CertificateIdentity.Exact(Beacon, "https://token.actions.githubusercontent.com");
    private static readonly byte[] HappyV03 = File.ReadAllBytes(SigstoreConformance.PathOf("conformance/happy-path-v0.3/bundle.sigstore.json"));
    private static readonly Artifact A = Artifact.FromFile(SigstoreConformance.PathOf("conformance/a.txt"));

    [Theory]
    [InlineData("", "bundle: not valid JSON")]
    [InlineData("null", "bundle: not a JSON object")]
    [InlineData("[]", "bundle: not valid JSON")]
    [InlineData("{}", "bundle: no mediaType")]
    [InlineData("{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\"}", "bundle: no verificationMaterial")]
    [InlineData("{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\",\"verificationMaterial\":{\"tlogEntries\":[{\"logIndex\":{}}]}}", "bundle: not valid JSON")]
    [InlineData("{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\",\"verificationMaterial\":{\"certificate\":{\"rawBytes\":\"AAAA\"}}}", "bundle: verificationMaterial.certificate does not parse")]
    [InlineData("{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\",\"verificationMaterial\":{\"publicKey\":{}}}", "bundle: a bundle holds exactly one of messageSignature and dsseEnvelope")]
    public void Verify_MalformedBundle_FailsWithAClearReason(string json, string reason)
    {
        var result = new BundleVerifier(TrustedRoot.Production).VerifyKeyless(Encoding.UTF8.GetBytes(json), A, Identity);

        Assert.False(result.Verified);
        Assert.StartsWith(reason, result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_EveryTruncation_FailsAsInvalidJson()
    {
        var verifier = new BundleVerifier(TrustedRoot.Production);
        for (var length = 0; length < HappyV03.Length; length += 37)
        {
            var result = verifier.VerifyKeyless(HappyV03.AsSpan(0, length), A, Identity);

            Assert.False(result.Verified);
            Assert.StartsWith("bundle: not valid JSON", result.Failure, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Verify_Oversized_IsRefusedUnread()
    {
        var big = new byte[Bundle.MaxBytes + 1];

        var result = new BundleVerifier(TrustedRoot.Production).VerifyKeyless(big, A, Identity);

        Assert.Equal($"bundle: larger than {Bundle.MaxBytes} bytes", result.Failure);
    }

    [Fact]
    public void Verify_DeeplyNested_FailsAsInvalidJson()
    {
        var nested = Encoding.UTF8.GetBytes("{\"unknown\":" + new string('[', 100_000) + new string(']', 100_000) + "}");

        var result = new BundleVerifier(TrustedRoot.Production).VerifyKeyless(nested, A, Identity);

        Assert.StartsWith("bundle: not valid JSON", result.Failure, StringComparison.Ordinal);
        Assert.Contains("depth", result.Failure, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("happy-path-v0.3")]
    [InlineData("rekor2-happy-path")]
    [InlineData("happy-path-intoto-in-dsse-v3")]
    [InlineData("intoto-with-custom-trust-root")]
    public void Verify_RandomByteMutations_NeverThrow(string name)
    {
        var folder = SigstoreConformance.PathOf("conformance/" + name);
        var original = File.ReadAllBytes(Path.Combine(folder, "bundle.sigstore.json"));
        var rootFile = Path.Combine(folder, "trusted_root.json");
        var verifier = new BundleVerifier(File.Exists(rootFile) ? TrustedRoot.Parse(File.ReadAllBytes(rootFile)) : TrustedRoot.Production);
        var random = new Random(20261208);
        for (var i = 0; i < 300; i++)
        {
            var mutated = (byte[])original.Clone();
            for (var j = random.Next(1, 4); j > 0; j--)
            {
                mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            }

            var result = verifier.VerifyKeyless(mutated, A, Identity);

            Assert.True(result.Verified || result.Failure is { Length: > 0 }, $"mutation {i}");
            Assert.DoesNotContain("   at ", result.Failure ?? string.Empty, StringComparison.Ordinal);
        }
    }
}
