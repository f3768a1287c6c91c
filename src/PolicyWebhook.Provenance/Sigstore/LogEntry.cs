namespace PolicyWebhook.Provenance.Sigstore;

/// <summary>An inclusion proof: the leaf's index, the tree it is in, the audit path and the log's signed checkpoint.</summary>
public sealed record InclusionProof(long LogIndex, long TreeSize, byte[] RootHash, IReadOnlyList<byte[]> Hashes, string? Checkpoint);

/// <summary>
/// A transparency-log entry of a bundle: which log, the kind of body, the canonicalized body itself, and the log's
/// promise (SET) and proof of inclusion. Rekor v2 entries have no integrated time and no promise.
/// </summary>
public sealed record LogEntry(
    long LogIndex,
    byte[] LogKeyId,
    string Kind,
    string Version,
    long IntegratedTime,
    byte[]? SignedEntryTimestamp,
    InclusionProof? Proof,
    byte[] Body)
{
    internal static LogEntry From(TlogEntryJson entry, string where)
    {
        if (entry.LogIndex < 0)
        {
            throw Bad($"{where} has a negative logIndex");
        }

        if (entry.IntegratedTime < 0)
        {
            throw Bad($"{where} has a negative integratedTime");
        }

        InclusionProof? proof = null;
        if (entry.InclusionProof is { } p)
        {
            if (p.LogIndex < 0 || p.TreeSize <= p.LogIndex)
            {
                throw Bad($"{where}.inclusionProof has logIndex {p.LogIndex} outside a tree of {p.TreeSize}");
            }

            // A tree of 2^63 leaves has a 63-hash path; more is not a proof.
            var hashes = p.Hashes ?? [];
            if (hashes.Count > 64)
            {
                throw Bad($"{where}.inclusionProof has {hashes.Count} hashes");
            }

            proof = new InclusionProof(
                p.LogIndex,
                p.TreeSize,
                Hash(p.RootHash) ?? throw Bad($"{where}.inclusionProof.rootHash is not a base64 SHA-256 hash"),
                [.. hashes.Select(h => Hash(h) ?? throw Bad($"{where}.inclusionProof has a hash that is not a base64 SHA-256 hash"))],
                p.Checkpoint?.Envelope);
        }

        byte[]? set = null;
        if (entry.InclusionPromise is { } promise)
        {
            set = Formats.Json.Base64(promise.SignedEntryTimestamp) ?? throw Bad($"{where}.inclusionPromise.signedEntryTimestamp is not base64");
        }

        return new LogEntry(
            entry.LogIndex,
            Formats.Json.Base64(entry.LogId?.KeyId) ?? throw Bad($"{where} has no logId.keyId"),
            entry.KindVersion?.Kind ?? throw Bad($"{where} has no kindVersion.kind"),
            entry.KindVersion.Version ?? throw Bad($"{where} has no kindVersion.version"),
            entry.IntegratedTime,
            set,
            proof,
            Formats.Json.Base64(entry.CanonicalizedBody) ?? throw Bad($"{where} has no canonicalizedBody"));
    }

    private static byte[]? Hash(string? base64) => Formats.Json.Base64(base64) is { Length: 32 } hash ? hash : null;

    private static SigstoreVerificationException Bad(string message) => new("bundle", message);
}
