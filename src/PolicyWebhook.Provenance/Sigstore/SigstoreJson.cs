using System.Text.Json;
using System.Text.Json.Serialization;

namespace PolicyWebhook.Provenance.Sigstore;

/*
 * The protobuf-JSON shapes of Sigstore's bundle (dev.sigstore.bundle.v1.Bundle) and trusted root
 * (dev.sigstore.trustroot.v1.TrustedRoot), and of the Rekor entry bodies a bundle's log entries carry. Only the fields
 * verification reads are declared; protobuf-JSON writes 64-bit integers as strings, hence the number handling.
 * Source-generated, so no reflection at run time (Native AOT).
 */

internal sealed record BundleJson(string? MediaType, VerificationMaterialJson? VerificationMaterial, MessageSignatureJson? MessageSignature, DsseEnvelopeJson? DsseEnvelope);

internal sealed record VerificationMaterialJson(
    RawBytesJson? Certificate,
    CertificateChainJson? X509CertificateChain,
    PublicKeyHintJson? PublicKey,
    List<TlogEntryJson>? TlogEntries,
    TimestampDataJson? TimestampVerificationData);

internal sealed record RawBytesJson(string? RawBytes);

internal sealed record CertificateChainJson(List<RawBytesJson>? Certificates);

internal sealed record PublicKeyHintJson(string? Hint);

internal sealed record TimestampDataJson(List<SignedTimestampJson>? Rfc3161Timestamps);

internal sealed record SignedTimestampJson(string? SignedTimestamp);

internal sealed record TlogEntryJson(
    long LogIndex,
    KeyIdJson? LogId,
    KindVersionJson? KindVersion,
    long IntegratedTime,
    InclusionPromiseJson? InclusionPromise,
    InclusionProofJson? InclusionProof,
    string? CanonicalizedBody);

internal sealed record KeyIdJson(string? KeyId);

internal sealed record KindVersionJson(string? Kind, string? Version);

internal sealed record InclusionPromiseJson(string? SignedEntryTimestamp);

internal sealed record InclusionProofJson(long LogIndex, string? RootHash, long TreeSize, List<string>? Hashes, CheckpointJson? Checkpoint);

internal sealed record CheckpointJson(string? Envelope);

internal sealed record MessageSignatureJson(HashOutputJson? MessageDigest, string? Signature);

internal sealed record HashOutputJson(string? Algorithm, string? Digest);

internal sealed record DsseEnvelopeJson(string? Payload, string? PayloadType, List<DsseSignatureJson>? Signatures);

internal sealed record DsseSignatureJson(string? Sig, string? Keyid);

internal sealed record TrustedRootJson(
    string? MediaType,
    List<TransparencyLogJson>? Tlogs,
    List<CertificateAuthorityJson>? CertificateAuthorities,
    List<TransparencyLogJson>? Ctlogs,
    List<CertificateAuthorityJson>? TimestampAuthorities);

internal sealed record TransparencyLogJson(string? BaseUrl, string? HashAlgorithm, TrustedPublicKeyJson? PublicKey, KeyIdJson? LogId);

internal sealed record TrustedPublicKeyJson(string? RawBytes, string? KeyDetails, TimeRangeJson? ValidFor);

internal sealed record TimeRangeJson(DateTimeOffset? Start, DateTimeOffset? End);

internal sealed record CertificateAuthorityJson(string? Uri, CertificateChainJson? CertChain, TimeRangeJson? ValidFor);

/// <summary>A Rekor entry body, any of the kinds a bundle may carry; each kind fills its own fields of <c>spec</c>.</summary>
internal sealed record RekorBodyJson(string? ApiVersion, string? Kind, RekorSpecJson? Spec);

internal sealed record RekorSpecJson(
    RekorDataJson? Data,
    RekorSignatureJson? Signature,
    HashedRekordV002Json? HashedRekordV002,
    DsseV002Json? DsseV002,
    RekorHashJson? PayloadHash,
    List<RekorDsseSignatureJson>? Signatures,
    IntotoContentJson? Content);

internal sealed record RekorDataJson(RekorHashJson? Hash);

internal sealed record RekorHashJson(string? Algorithm, string? Value);

internal sealed record RekorSignatureJson(string? Content, RekorPublicKeyJson? PublicKey);

internal sealed record RekorPublicKeyJson(string? Content);

internal sealed record RekorDsseSignatureJson(string? Signature, string? Verifier);

internal sealed record HashedRekordV002Json(HashOutputJson? Data, HashedRekordV002SignatureJson? Signature);

internal sealed record HashedRekordV002SignatureJson(string? Content, HashedRekordV002VerifierJson? Verifier);

internal sealed record HashedRekordV002VerifierJson(RawBytesJson? X509Certificate, RawBytesJson? PublicKey, string? KeyDetails);

internal sealed record DsseV002Json(HashOutputJson? PayloadHash, List<HashedRekordV002SignatureJson>? Signatures);

internal sealed record IntotoContentJson(IntotoEnvelopeJson? Envelope, RekorHashJson? PayloadHash);

internal sealed record IntotoEnvelopeJson(string? PayloadType, List<IntotoSignatureJson>? Signatures);

internal sealed record IntotoSignatureJson(string? Sig, string? PublicKey);

/// <summary>An in-toto statement, as far as binding it to an artifact needs: its type and its subjects' digests.</summary>
internal sealed record InTotoJson([property: JsonPropertyName("_type")] string? Type, List<InTotoSubjectJson>? Subject, string? PredicateType);

internal sealed record InTotoSubjectJson(string? Name, Dictionary<string, string>? Digest);

/// <summary>cosign's <c>dev.sigstore.cosign/bundle</c> annotation: Rekor's SET and the entry it signs.</summary>
internal sealed record CosignRekorBundleJson(string? SignedEntryTimestamp, CosignRekorPayloadJson? Payload);

internal sealed record CosignRekorPayloadJson(string? Body, long IntegratedTime, long LogIndex, [property: JsonPropertyName("logID")] string? LogId);

/// <summary>The source-generated reader of every Sigstore JSON shape.</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    MaxDepth = 32)]
[JsonSerializable(typeof(BundleJson))]
[JsonSerializable(typeof(TrustedRootJson))]
[JsonSerializable(typeof(RekorBodyJson))]
[JsonSerializable(typeof(InTotoJson))]
[JsonSerializable(typeof(CosignRekorBundleJson))]
internal sealed partial class SigstoreJsonContext : JsonSerializerContext;
