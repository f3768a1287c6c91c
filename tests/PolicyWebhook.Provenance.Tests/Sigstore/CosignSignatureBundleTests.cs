using System.Text;
using System.Text.Json.Nodes;
using PolicyWebhook.Provenance.Sigstore;
using PolicyWebhook.Tests.Shared;

namespace PolicyWebhook.Provenance.Tests.Sigstore;

/// <summary>
/// A legacy cosign keyless signature (certificate, signature, Rekor bundle annotations) verifies as a v0.1 bundle; the
/// annotations here are those of the conformance v0.1 bundle, rewritten in cosign's shapes.
/// </summary>
public sealed class CosignSignatureBundleTests
{
    private static readonly CertificateIdentity Beacon = CertificateIdentity.Exact(
        "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main",
        "https://token.actions.githubusercontent.com");

    private static readonly Artifact A = Artifact.FromFile(SigstoreConformance.PathOf("conformance/a.txt"));

    [Fact]
    public void Create_AnnotationsOfALoggedSignature_Verifies()
    {
        var (certificate, signature, rekor) = Annotations();

        var result = new BundleVerifier(TrustedRoot.Production).Verify(CosignSignatureBundle.Create(certificate, signature, rekor), A, Beacon, null);

        Assert.True(result.Verified, result.Failure);
        Assert.Equal([DateTimeOffset.FromUnixTimeSeconds(1689177396)], result.SigningTimes);
    }

    [Fact]
    public void Create_SetOfAnotherEntry_FailsAtTheSet()
    {
        var (certificate, signature, rekor) = Annotations(logIndex: 1);

        var result = new BundleVerifier(TrustedRoot.Production).Verify(CosignSignatureBundle.Create(certificate, signature, rekor), A, Beacon, null);

        Assert.StartsWith("signed entry timestamp: ", result.Failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not pem", "c2ln", "{}")]
    [InlineData(null, "%%%", "{}")]
    [InlineData(null, "c2ln", "{")]
    [InlineData(null, "c2ln", "{\"Payload\":{\"body\":\"e30=\",\"integratedTime\":1,\"logIndex\":1,\"logID\":\"zz\"}}")]
    public void Create_MalformedAnnotations_FailAtTheBundleStep(string? certificate, string signature, string rekor)
    {
        var e = Assert.Throws<SigstoreVerificationException>(() => CosignSignatureBundle.Create(certificate ?? Annotations().Certificate, signature, Encoding.UTF8.GetBytes(rekor)));

        Assert.Equal("bundle", e.Step);
    }

    private static (string Certificate, string Signature, byte[] Rekor) Annotations(long? logIndex = null)
    {
        var bundle = JsonNode.Parse(File.ReadAllText(SigstoreConformance.PathOf("conformance/happy-path-v0.1/bundle.sigstore.json")))!;
        var der = bundle["verificationMaterial"]!["x509CertificateChain"]!["certificates"]![0]!["rawBytes"]!.GetValue<string>();
        var entry = bundle["verificationMaterial"]!["tlogEntries"]![0]!;
        var rekor = new JsonObject
        {
            ["SignedEntryTimestamp"] = entry["inclusionPromise"]!["signedEntryTimestamp"]!.GetValue<string>(),
            ["Payload"] = new JsonObject
            {
                ["body"] = entry["canonicalizedBody"]!.GetValue<string>(),
                ["integratedTime"] = long.Parse(entry["integratedTime"]!.GetValue<string>(), null),
                ["logIndex"] = logIndex ?? long.Parse(entry["logIndex"]!.GetValue<string>(), null),
                ["logID"] = Convert.ToHexStringLower(Convert.FromBase64String(entry["logId"]!["keyId"]!.GetValue<string>())),
            },
        };
        return (
            $"-----BEGIN CERTIFICATE-----\n{der}\n-----END CERTIFICATE-----\n",
            bundle["messageSignature"]!["signature"]!.GetValue<string>(),
            Encoding.UTF8.GetBytes(rekor.ToJsonString()));
    }
}
