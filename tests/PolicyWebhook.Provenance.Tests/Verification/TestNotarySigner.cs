using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using PolicyWebhook.Engine.Images;

namespace PolicyWebhook.Provenance.Tests.Verification;

/// <summary>A certificate authority and a leaf made for one test, signing Notary Project JWS signatures as notation does.</summary>
internal sealed class TestNotarySigner : IDisposable
{
    private readonly RSA _rootKey = RSA.Create(2048);
    private readonly AsymmetricAlgorithm _leafKey;

    /// <param name="ecdsa">An ECDSA P-256 leaf (ES256) rather than RSA (PS256).</param>
    /// <param name="codeSigning">Whether the leaf has the code signing extended key usage.</param>
    public TestNotarySigner(bool ecdsa = false, bool codeSigning = true)
    {
        var now = DateTimeOffset.UtcNow;
        var rootRequest = new CertificateRequest("CN=test root", _rootKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        Root = rootRequest.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));

        _leafKey = ecdsa ? ECDsa.Create(ECCurve.NamedCurves.nistP256) : RSA.Create(2048);
        var leafRequest = _leafKey is ECDsa ec
            ? new CertificateRequest("CN=test signer", ec, HashAlgorithmName.SHA256)
            : new CertificateRequest("CN=test signer", (RSA)_leafKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        leafRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(codeSigning ? "1.3.6.1.5.5.7.3.3" : "1.3.6.1.5.5.7.3.1")], false));
        Leaf = leafRequest.Create(Root.SubjectName, X509SignatureGenerator.CreateForRSA(_rootKey, RSASignaturePadding.Pkcs1), now.AddHours(-1), now.AddMonths(6), [1, 2, 3, 4]);
    }

    public X509Certificate2 Root { get; }

    public X509Certificate2 Leaf { get; }

    public TrustedKeySource Source(string name) => new(name, Root.ExportCertificatePem());

    /// <summary>A JWS over a notary payload naming <paramref name="digest"/>; <paramref name="crit"/> replaces the critical headers.</summary>
    public byte[] Sign(string digest, params string[] crit)
    {
        var header = new JsonObject
        {
            ["alg"] = _leafKey is ECDsa ? "ES256" : "PS256",
            ["crit"] = new JsonArray([.. (crit.Length == 0 ? ["io.cncf.notary.signingScheme"] : crit).Select(c => (JsonNode)c)]),
            ["cty"] = "application/vnd.cncf.notary.payload.v1+json",
            ["io.cncf.notary.signingScheme"] = "notary.x509",
            ["io.cncf.notary.signingTime"] = DateTimeOffset.UtcNow.ToString("O", null),
        };
        var payload = new JsonObject { ["targetArtifact"] = new JsonObject { ["digest"] = digest, ["mediaType"] = "application/vnd.oci.image.manifest.v1+json", ["size"] = 401 } };
        var encodedHeader = System.Buffers.Text.Base64Url.EncodeToString(TestArtifacts.Serialize(header));
        var encodedPayload = System.Buffers.Text.Base64Url.EncodeToString(TestArtifacts.Serialize(payload));
        var input = Encoding.ASCII.GetBytes(encodedHeader + "." + encodedPayload);
        var signature = _leafKey is ECDsa ecdsa
            ? ecdsa.SignData(input, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
            : ((RSA)_leafKey).SignData(input, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
        return TestArtifacts.Serialize(new JsonObject
        {
            ["payload"] = encodedPayload,
            ["protected"] = encodedHeader,
            ["header"] = new JsonObject { ["x5c"] = new JsonArray(Convert.ToBase64String(Leaf.RawData), Convert.ToBase64String(Root.RawData)) },
            ["signature"] = System.Buffers.Text.Base64Url.EncodeToString(signature),
        });
    }

    public void Dispose()
    {
        Root.Dispose();
        Leaf.Dispose();
        _rootKey.Dispose();
        _leafKey.Dispose();
    }
}
