using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PolicyWebhook.Engine.Images;
using PolicyWebhook.Provenance.Formats;

namespace PolicyWebhook.Provenance.Tests.Verification;

/// <summary>A P-256 key made for one test, with which it signs artifacts in the cosign formats.</summary>
internal sealed class TestSigner : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestSigner(string name) => Source = new TrustedKeySource(name, _key.ExportSubjectPublicKeyInfoPem());

    public TrustedKeySource Source { get; }

    public byte[] Sign(byte[] data) => _key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

    /// <summary>A DSSE envelope of an in-toto statement, signed over its pre-authentication encoding.</summary>
    public byte[] Envelope(byte[] statement)
    {
        var signature = Sign(DsseEnvelope.PreAuthenticationEncoding(DsseEnvelope.InTotoPayloadType, statement));
        return TestArtifacts.Serialize(new JsonObject
        {
            ["payloadType"] = DsseEnvelope.InTotoPayloadType,
            ["payload"] = Convert.ToBase64String(statement),
            ["signatures"] = new JsonArray(new JsonObject { ["keyid"] = string.Empty, ["sig"] = Convert.ToBase64String(signature) }),
        });
    }

    public void Dispose() => _key.Dispose();
}

/// <summary>Builds cosign artifacts (payloads, statements, bundles) and publishes them into a <see cref="FileSystemRegistry"/> the way cosign does.</summary>
internal static class TestArtifacts
{
    public const string Repository = "shop/app";
    public const string EmptyConfig = "application/vnd.oci.empty.v1+json";
    public const string BundleType = "application/vnd.dev.sigstore.bundle.v0.3+json";

    public static byte[] Serialize(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString());

    /// <summary>The simple-signing payload cosign signs for a digest, with the host cosign would write.</summary>
    public static byte[] SimpleSigningPayload(string digest) => Encoding.UTF8.GetBytes(
        $$"""{"critical":{"identity":{"docker-reference":"127.0.0.1:35000/shop/app"},"image":{"docker-manifest-digest":"{{digest}}"},"type":"cosign container image signature"},"optional":null}""");

    /// <summary>An in-toto statement v0.1 (or v1) about a digest.</summary>
    public static byte[] Statement(string digest, string predicateType, JsonNode predicate, bool v1 = false) => Serialize(new JsonObject
    {
        ["_type"] = v1 ? "https://in-toto.io/Statement/v1" : "https://in-toto.io/Statement/v0.1",
        ["subject"] = new JsonArray(new JsonObject { ["name"] = "127.0.0.1:35000/shop/app", ["digest"] = new JsonObject { ["sha256"] = digest[7..] } }),
        ["predicateType"] = predicateType,
        ["predicate"] = predicate,
    });

    /// <summary>A cosign vuln predicate with these findings (<c>CVE-1 HIGH</c>), finished at the given time.</summary>
    public static JsonNode VulnPredicate(DateTimeOffset finished, params (string Id, string Severity)[] findings) => new JsonObject
    {
        ["metadata"] = new JsonObject { ["scanFinishedOn"] = finished.ToString("O", null) },
        ["scanner"] = new JsonObject
        {
            ["result"] = new JsonObject
            {
                ["Results"] = new JsonArray(new JsonObject
                {
                    ["Target"] = "shop/app",
                    ["Vulnerabilities"] = new JsonArray([.. findings.Select(f => (JsonNode)new JsonObject { ["VulnerabilityID"] = f.Id, ["Severity"] = f.Severity })]),
                }),
            },
        },
    };

    /// <summary>A Sigstore bundle v0.3 around a DSSE envelope.</summary>
    public static byte[] Bundle(byte[] envelope) => Serialize(new JsonObject
    {
        ["mediaType"] = BundleType,
        ["verificationMaterial"] = new JsonObject { ["publicKey"] = new JsonObject { ["hint"] = "not checked" } },
        ["dsseEnvelope"] = JsonNode.Parse(envelope),
    });

    /// <summary>Publishes a legacy <c>.sig</c> (or <c>.att</c>) manifest for <paramref name="digest"/> with these layers.</summary>
    public static string PublishLegacy(FileSystemRegistry registry, string digest, string suffix, params JsonObject[] layers) =>
        registry.PutManifest(Repository, digest.Replace(':', '-') + suffix, Serialize(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["config"] = Descriptor("application/vnd.oci.image.config.v1+json", registry.PutBlob("{}"u8.ToArray())),
            ["layers"] = new JsonArray([.. layers]),
        }));

    /// <summary>A legacy signature layer: the payload as a blob, the signature in the annotation.</summary>
    public static JsonObject SignatureLayer(FileSystemRegistry registry, byte[] payload, byte[] signature)
    {
        var layer = Descriptor(Cosign.SimpleSigningLayer, registry.PutBlob(payload));
        layer["annotations"] = new JsonObject { [Cosign.SignatureAnnotation] = Convert.ToBase64String(signature) };
        return layer;
    }

    /// <summary>A legacy attestation layer holding a DSSE envelope.</summary>
    public static JsonObject AttestationLayer(FileSystemRegistry registry, byte[] envelope, string predicateType)
    {
        var layer = Descriptor(Cosign.DsseLayer, registry.PutBlob(envelope));
        layer["annotations"] = new JsonObject { [Cosign.SignatureAnnotation] = string.Empty, ["predicateType"] = predicateType };
        return layer;
    }

    /// <summary>Publishes a bundle as a referrer of <paramref name="digest"/>: its manifest, and the tag-schema index listing it (added to what is there).</summary>
    public static string PublishReferrer(FileSystemRegistry registry, string digest, byte[] bundle, string predicateType) =>
        PublishReferrer(registry, digest, new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["artifactType"] = BundleType,
            ["config"] = Descriptor(EmptyConfig, registry.PutBlob("{}"u8.ToArray())),
            ["layers"] = new JsonArray(Descriptor(BundleType, registry.PutBlob(bundle))),
            ["annotations"] = new JsonObject { ["dev.sigstore.bundle.content"] = "dsse-envelope", [Cosign.BundlePredicateTypeAnnotation] = predicateType },
            ["subject"] = Descriptor("application/vnd.oci.image.manifest.v1+json", digest),
        });

    /// <summary>Publishes a Notary Project signature (a JWS) as a referrer of <paramref name="digest"/>, as notation does.</summary>
    public static string PublishNotarySignature(FileSystemRegistry registry, string digest, byte[] jws) =>
        PublishReferrer(registry, digest, new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["config"] = Descriptor(NotarySignature.ArtifactType, registry.PutBlob("{}"u8.ToArray())),
            ["layers"] = new JsonArray(Descriptor(NotarySignature.JwsMediaType, registry.PutBlob(jws))),
            ["subject"] = Descriptor("application/vnd.oci.image.manifest.v1+json", digest),
        });

    // Stores a referrer manifest and lists it in the tag-schema index of the digest, after what is there.
    private static string PublishReferrer(FileSystemRegistry registry, string digest, JsonObject referrer)
    {
        var manifest = registry.PutBlob(Serialize(referrer));
        var tag = digest.Replace(':', '-');
        var index = registry.Tag(Repository, tag) is { } existing ? JsonNode.Parse(registry.Blob(existing)!)!.AsObject() : new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.index.v1+json",
            ["manifests"] = new JsonArray(),
        };
        var entry = Descriptor("application/vnd.oci.image.manifest.v1+json", manifest);
        entry["artifactType"] = EmptyConfig;
        index["manifests"] ??= new JsonArray();
        index["manifests"]!.AsArray().Add(entry);
        registry.PutManifest(Repository, tag, Serialize(index));
        return manifest;
    }

    public static JsonObject Descriptor(string mediaType, string digest) => new() { ["mediaType"] = mediaType, ["digest"] = digest, ["size"] = 0 };

    /// <summary>A JSON document with one value changed, for tampering.</summary>
    public static byte[] With(byte[] json, Action<JsonNode> change)
    {
        var node = JsonNode.Parse(json)!;
        change(node);
        return Serialize(node);
    }

    /// <summary>A copy of the bytes with one bit flipped at <paramref name="index"/> (from the end when negative).</summary>
    public static byte[] Flipped(ReadOnlySpan<byte> bytes, int index)
    {
        var copy = bytes.ToArray();
        copy[index < 0 ? copy.Length + index : index] ^= 0x01;
        return copy;
    }

    public static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
