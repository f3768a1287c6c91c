using System.Globalization;
using System.Text;

namespace PolicyWebhook.Provenance.Sigstore;

/// <summary>What a verified log entry vouches for: the log, and its integrated time (Rekor v1) or none (Rekor v2).</summary>
internal sealed record VerifiedEntry(TransparencyLog Log, DateTimeOffset? IntegratedTime);

/// <summary>
/// Verifies a bundle's transparency-log entry offline: the log is trusted, the body records this bundle, the signed
/// entry timestamp (SET) verifies, the inclusion proof leads to the root hash of a checkpoint the log signed, and the
/// integrated time is not in the future.
/// </summary>
internal static class TlogVerifier
{
    public static VerifiedEntry Verify(LogEntry entry, Bundle bundle, SigningKey signer, Artifact artifact, TrustedRoot root, DateTimeOffset now)
    {
        var log = root.FindLog(entry.LogKeyId)
            ?? throw new SigstoreVerificationException("log entry", $"from a log the trusted root does not hold (key id {Convert.ToBase64String(entry.LogKeyId)})");
        RekorBody.Match(entry, bundle, signer, artifact.Sha256);

        var rekorV2 = entry.IntegratedTime == 0 && entry.SignedEntryTimestamp is null;
        if (entry.SignedEntryTimestamp is { } set)
        {
            if (entry.IntegratedTime == 0)
            {
                throw new SigstoreVerificationException("log entry", "a signed entry timestamp without an integrated time");
            }

            if (!log.Key.Verify(SetPayload(entry), set))
            {
                throw new SigstoreVerificationException("signed entry timestamp", $"does not verify with the key of {log.BaseUrl}");
            }
        }
        else if (bundle.MinorVersion == 1)
        {
            throw new SigstoreVerificationException("log entry", "a v0.1 bundle's entry must carry a signed entry timestamp (inclusionPromise)");
        }

        if (entry.Proof is { } proof)
        {
            VerifyInclusion(entry, proof, log);
        }
        else if (bundle.MinorVersion >= 2 || rekorV2)
        {
            throw new SigstoreVerificationException("log inclusion", "the entry has no inclusion proof, and it is required");
        }

        if (rekorV2)
        {
            return new VerifiedEntry(log, null);
        }

        var integrated = DateTimeOffset.FromUnixTimeSeconds(entry.IntegratedTime);
        if (integrated > now)
        {
            throw new SigstoreVerificationException("log entry", $"integrated time {integrated:u} is in the future");
        }

        // Only the SET signs the integrated time; without one the time is a claim, and timestamps must vouch instead.
        return new VerifiedEntry(log, entry.SignedEntryTimestamp is null ? null : integrated);
    }

    private static void VerifyInclusion(LogEntry entry, InclusionProof proof, TransparencyLog log)
    {
        if (!MerkleTree.VerifyInclusion(proof.LogIndex, proof.TreeSize, MerkleTree.LeafHash(entry.Body), proof.Hashes, proof.RootHash))
        {
            throw new SigstoreVerificationException("log inclusion", $"the audit path does not lead from entry {proof.LogIndex} to the root hash of the tree of {proof.TreeSize}");
        }

        var checkpoint = SignedCheckpoint.Parse(proof.Checkpoint ?? throw new SigstoreVerificationException("checkpoint", "the inclusion proof has no checkpoint"));
        checkpoint.VerifySignedBy(log);
        if (checkpoint.TreeSize != proof.TreeSize || !checkpoint.RootHash.AsSpan().SequenceEqual(proof.RootHash))
        {
            throw new SigstoreVerificationException("checkpoint", $"the checkpoint (size {checkpoint.TreeSize}) is of another tree than the inclusion proof (size {proof.TreeSize})");
        }
    }

    // What Rekor signs as the SET: canonical JSON (keys sorted, no spaces) of the body, time, log id and index.
    private static byte[] SetPayload(LogEntry entry) => Encoding.UTF8.GetBytes(string.Create(
        CultureInfo.InvariantCulture,
        $"{{\"body\":\"{Convert.ToBase64String(entry.Body)}\",\"integratedTime\":{entry.IntegratedTime},\"logID\":\"{Convert.ToHexStringLower(entry.LogKeyId)}\",\"logIndex\":{entry.LogIndex}}}"));
}
