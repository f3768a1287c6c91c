using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace PolicyWebhook.Tests.Shared;

/// <summary>
/// What cosign pushes in a legacy <c>.sig</c> tag for one keyless signature: the layer's bytes (the simple-signing
/// payload) and its annotations, and the log entry behind the Rekor bundle.
/// </summary>
internal sealed record CosignSignatureLayer(byte[] Payload, string Signature, string Certificate, string Chain, string RekorBundle, TestLogEntry Entry)
{
    public const string MediaType = "application/vnd.dev.cosign.simplesigning.v1+json";
    public const string SignatureAnnotation = "dev.cosignproject.cosign/signature";
    public const string CertificateAnnotation = "dev.sigstore.cosign/certificate";
    public const string ChainAnnotation = "dev.sigstore.cosign/chain";
    public const string BundleAnnotation = "dev.sigstore.cosign/bundle";

    /// <summary>The layer's annotations, as in the signature manifest.</summary>
    public IReadOnlyDictionary<string, string> Annotations => new Dictionary<string, string>
    {
        [SignatureAnnotation] = Signature,
        [CertificateAnnotation] = Certificate,
        [ChainAnnotation] = Chain,
        [BundleAnnotation] = RekorBundle,
    };

    /// <summary>The layer's digest, <c>sha256:&lt;hex&gt;</c>.</summary>
    public string PayloadDigest => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Payload));
}

/// <summary>Signing helpers: what cosign writes for an image digest.</summary>
internal sealed partial class TestSigstore
{
    public const string BundleMediaType = "application/vnd.dev.sigstore.bundle.v0.3+json";
    public const string InTotoPayloadType = "application/vnd.in-toto+json";
    public const string CosignSignPredicateType = "https://sigstore.dev/cosign/sign/v1";

    /// <summary>The simple-signing payload cosign signs for <paramref name="imageDigest"/> in <paramref name="repository"/> (<c>host/repo</c>).</summary>
    public static byte[] SimpleSigningPayload(string repository, string imageDigest, IReadOnlyDictionary<string, string>? annotations = null)
    {
        JsonObject? optional = null;
        if (annotations is not null)
        {
            optional = [];
            foreach (var (name, value) in annotations.OrderBy(a => a.Key, StringComparer.Ordinal))
            {
                optional[name] = value;
            }
        }

        return ToJson(new JsonObject
        {
            ["critical"] = new JsonObject
            {
                ["identity"] = new JsonObject { ["docker-reference"] = repository },
                ["image"] = new JsonObject { ["docker-manifest-digest"] = imageDigest },
                ["type"] = "cosign container image signature",
            },
            ["optional"] = optional,
        });
    }

    /// <summary>
    /// The legacy <c>.sig</c> layer of a keyless signature of <paramref name="imageDigest"/> (<c>sha256:&lt;hex&gt;</c>):
    /// the payload, its signature, the leaf and chain PEM, and the Rekor bundle of a hashedrekord entry over the payload.
    /// </summary>
    public CosignSignatureLayer SignImageLegacy(string repository, string imageDigest, TestSigning? signing = null)
    {
        signing ??= new TestSigning();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = IssueCertificate(key, signing);
        var payload = SimpleSigningPayload(repository, signing.SignedDigest ?? imageDigest, signing.Annotations);
        var signature = key.SignData(payload, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        var pem = TestCertificateAuthority.Pem(certificate);
        var entry = Log(HashedRekord(SHA256.HashData(payload), signature, pem), signing);
        var rekorBundle = ToJson(new JsonObject
        {
            ["SignedEntryTimestamp"] = Convert.ToBase64String(entry.SignedEntryTimestamp),
            ["Payload"] = new JsonObject
            {
                ["body"] = Convert.ToBase64String(entry.Body),
                ["integratedTime"] = entry.IntegratedTime,
                ["logIndex"] = entry.LogIndex,
                ["logID"] = Convert.ToHexStringLower(Rekor.LogId),
            },
        });
        var chain = (signing.FromOtherCa ? OtherFulcio : Fulcio).ChainPem;
        return new CosignSignatureLayer(payload, Convert.ToBase64String(signature), pem, chain, Encoding.UTF8.GetString(rekorBundle), entry);
    }

    /// <summary>
    /// A Sigstore bundle v0.3 (JSON) of a keyless message signature over <paramref name="imageDigest"/>: the message
    /// digest is the digest's bytes, the signature is over that SHA-256 prehash; one hashedrekord 0.0.1 entry with SET,
    /// inclusion proof and checkpoint.
    /// </summary>
    public byte[] SignImageBundle(string imageDigest, TestSigning? signing = null)
    {
        signing ??= new TestSigning();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = IssueCertificate(key, signing);
        var digest = DigestBytes(signing.SignedDigest ?? imageDigest);
        var signature = key.SignHash(digest, DSASignatureFormat.Rfc3279DerSequence);
        var entry = Log(HashedRekord(digest, signature, TestCertificateAuthority.Pem(certificate)), signing);
        return Bundle(certificate.RawData, entry, "hashedrekord", "messageSignature", new JsonObject
        {
            ["messageDigest"] = new JsonObject { ["algorithm"] = "SHA2_256", ["digest"] = Convert.ToBase64String(digest) },
            ["signature"] = Convert.ToBase64String(signature),
        });
    }

    /// <summary>
    /// A Sigstore bundle v0.3 (JSON) of a DSSE envelope holding an in-toto statement (predicate type
    /// <see cref="CosignSignPredicateType"/>) whose subject is <paramref name="imageDigest"/> in <paramref name="repository"/>;
    /// one dsse 0.0.1 entry with SET, inclusion proof and checkpoint.
    /// </summary>
    public byte[] SignImageDsseBundle(string repository, string imageDigest, TestSigning? signing = null) =>
        SignImageDsseBundle(repository, imageDigest, CosignSignPredicateType, new JsonObject(), signing);

    /// <summary>As the overload above, for a statement of any predicate: an attestation, such as cosign's vulnerability scan.</summary>
    public byte[] SignImageDsseBundle(string repository, string imageDigest, string predicateType, JsonNode predicate, TestSigning? signing = null)
    {
        signing ??= new TestSigning();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = IssueCertificate(key, signing);
        var statement = ToJson(new JsonObject
        {
            ["_type"] = "https://in-toto.io/Statement/v1",
            ["subject"] = new JsonArray(new JsonObject
            {
                ["name"] = repository,
                ["digest"] = new JsonObject { ["sha256"] = Convert.ToHexStringLower(DigestBytes(signing.SignedDigest ?? imageDigest)) },
            }),
            ["predicateType"] = predicateType,
            ["predicate"] = predicate.DeepClone(),
        });
        var signature = key.SignData(PreAuthenticationEncoding(InTotoPayloadType, statement), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        var envelope = new JsonObject
        {
            ["payload"] = Convert.ToBase64String(statement),
            ["payloadType"] = InTotoPayloadType,
            ["signatures"] = new JsonArray(new JsonObject { ["sig"] = Convert.ToBase64String(signature), ["keyid"] = string.Empty }),
        };
        var pem = TestCertificateAuthority.Pem(certificate);
        var body = ToJson(new JsonObject
        {
            ["apiVersion"] = "0.0.1",
            ["kind"] = "dsse",
            ["spec"] = new JsonObject
            {
                ["envelopeHash"] = Sha256Hex(ToJson(envelope.DeepClone())),
                ["payloadHash"] = Sha256Hex(statement),
                ["signatures"] = new JsonArray(new JsonObject
                {
                    ["signature"] = Convert.ToBase64String(signature),
                    ["verifier"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(pem)),
                }),
            },
        });
        return Bundle(certificate.RawData, Log(body, signing), "dsse", "dsseEnvelope", envelope);
    }

    /// <summary>The bytes a DSSE signature covers (DSSE v1 PAE).</summary>
    public static byte[] PreAuthenticationEncoding(string payloadType, byte[] payload) =>
        [.. Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"DSSEv1 {Encoding.UTF8.GetByteCount(payloadType)} {payloadType} {payload.Length} ")), .. payload];

    // A hashedrekord 0.0.1 body as Rekor canonicalizes it (keys sorted, no spaces); the key is the leaf's PEM, base64.
    private static byte[] HashedRekord(byte[] sha256, byte[] signature, string certificatePem) => ToJson(new JsonObject
    {
        ["apiVersion"] = "0.0.1",
        ["kind"] = "hashedrekord",
        ["spec"] = new JsonObject
        {
            ["data"] = new JsonObject { ["hash"] = new JsonObject { ["algorithm"] = "sha256", ["value"] = Convert.ToHexStringLower(sha256) } },
            ["signature"] = new JsonObject
            {
                ["content"] = Convert.ToBase64String(signature),
                ["publicKey"] = new JsonObject { ["content"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(certificatePem)) },
            },
        },
    });

    private static JsonObject Sha256Hex(byte[] bytes) => new() { ["algorithm"] = "sha256", ["value"] = Convert.ToHexStringLower(SHA256.HashData(bytes)) };

    private static byte[] DigestBytes(string digest) =>
        digest.StartsWith("sha256:", StringComparison.Ordinal) && digest.Length == 71
            ? Convert.FromHexString(digest.AsSpan(7))
            : throw new ArgumentException($"not a sha256:<hex> digest: {digest}", nameof(digest));

    // Protobuf JSON writes 64-bit integers as strings, as real bundles do.
    private byte[] Bundle(byte[] certificateDer, TestLogEntry entry, string kind, string contentName, JsonObject content) => ToJson(new JsonObject
    {
        ["mediaType"] = BundleMediaType,
        ["verificationMaterial"] = new JsonObject
        {
            ["certificate"] = new JsonObject { ["rawBytes"] = Convert.ToBase64String(certificateDer) },
            ["tlogEntries"] = new JsonArray(new JsonObject
            {
                ["logIndex"] = Text(entry.LogIndex),
                ["logId"] = new JsonObject { ["keyId"] = Convert.ToBase64String(Rekor.LogId) },
                ["kindVersion"] = new JsonObject { ["kind"] = kind, ["version"] = "0.0.1" },
                ["integratedTime"] = Text(entry.IntegratedTime),
                ["inclusionPromise"] = new JsonObject { ["signedEntryTimestamp"] = Convert.ToBase64String(entry.SignedEntryTimestamp) },
                ["inclusionProof"] = new JsonObject
                {
                    ["logIndex"] = Text(entry.TreeIndex),
                    ["rootHash"] = Convert.ToBase64String(entry.RootHash),
                    ["treeSize"] = Text(entry.TreeSize),
                    ["hashes"] = new JsonArray([.. entry.Hashes.Select(h => (JsonNode)Convert.ToBase64String(h))]),
                    ["checkpoint"] = new JsonObject { ["envelope"] = entry.Checkpoint },
                },
                ["canonicalizedBody"] = Convert.ToBase64String(entry.Body),
            }),
        },
        [contentName] = content,
    });

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
