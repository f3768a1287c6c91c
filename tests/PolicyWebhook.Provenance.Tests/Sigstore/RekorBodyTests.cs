using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using PolicyWebhook.Provenance.Sigstore;
using PolicyWebhook.Tests.Shared;

namespace PolicyWebhook.Provenance.Tests.Sigstore;

/// <summary>
/// Rekor v2's dsse 0.0.2 body, which no conformance case carries: built here from a real DSSE bundle, it matches
/// that bundle and no other signature.
/// </summary>
public sealed class RekorBodyTests
{
    private static readonly Bundle Dsse = Bundle.Parse(File.ReadAllBytes(SigstoreConformance.PathOf("conformance/rekor2-dsse-happy-path/bundle.sigstore.json")));

    [Fact]
    public void Match_DsseV002OfTheEnvelope_Matches()
    {
        RekorBody.Match(Entry(DsseV002(Dsse.Envelope!.Signature)), Dsse, SigningKey.FromCertificate(Dsse.Certificate!), []);
    }

    [Fact]
    public void Match_DsseV002OfAnotherSignature_Fails()
    {
        var other = (byte[])Dsse.Envelope!.Signature.Clone();
        other[^1] ^= 1;

        var e = Assert.Throws<SigstoreVerificationException>(() => RekorBody.Match(Entry(DsseV002(other)), Dsse, SigningKey.FromCertificate(Dsse.Certificate!), []));

        Assert.Equal("log entry: the entry records other DSSE signatures", e.Message);
    }

    [Fact]
    public void Match_KindOtherThanKindVersionSays_Fails()
    {
        var entry = Entry(DsseV002(Dsse.Envelope!.Signature)) with { Kind = "hashedrekord" };

        var e = Assert.Throws<SigstoreVerificationException>(() => RekorBody.Match(entry, Dsse, SigningKey.FromCertificate(Dsse.Certificate!), []));

        Assert.StartsWith("log entry: the body is not a hashedrekord 0.0.2 entry", e.Message, StringComparison.Ordinal);
    }

    private static LogEntry Entry(string body) => new(0, new byte[32], "dsse", "0.0.2", 0, null, null, Encoding.UTF8.GetBytes(body));

    private static string DsseV002(byte[] signature) => new JsonObject
    {
        ["apiVersion"] = "0.0.2",
        ["kind"] = "dsse",
        ["spec"] = new JsonObject
        {
            ["dsseV002"] = new JsonObject
            {
                ["payloadHash"] = new JsonObject { ["algorithm"] = "SHA2_256", ["digest"] = Convert.ToBase64String(SHA256.HashData(Dsse.Envelope!.Payload)) },
                ["signatures"] = new JsonArray(new JsonObject
                {
                    ["content"] = Convert.ToBase64String(signature),
                    ["verifier"] = new JsonObject
                    {
                        ["keyDetails"] = "PKIX_ECDSA_P256_SHA_256",
                        ["x509Certificate"] = new JsonObject { ["rawBytes"] = Convert.ToBase64String(Dsse.Certificate!.RawData) },
                    },
                }),
            },
        },
    }.ToJsonString();
}
