using PolicyWebhook.Engine.Images;

namespace PolicyWebhook.Provenance.Formats;

/// <summary>
/// Gathers what verified artifacts say about one digest, from several registry reads at once, and applies the rules:
/// a signature counts only when it names the digest (else it is a signature for another digest), an attestation only
/// when a subject is the digest.
/// </summary>
internal sealed class FactsCollector(string digest, EntryKeys keys)
{
    private readonly Lock _lock = new();
    private readonly List<string> _signedBy = [];
    private readonly List<(string KeyName, string Digest)> _otherDigests = [];
    private readonly List<AttestationFact> _attestations = [];
    private readonly List<(string Subject, string Issuer)> _otherKeyless = [];
    private readonly List<string> _keylessFailures = [];

    public EntryKeys Keys { get; } = keys;

    public void AddSignature(string keyName, string namedDigest)
    {
        lock (_lock)
        {
            if (namedDigest == digest)
            {
                AddOnce(_signedBy, keyName);
            }
            else
            {
                AddOnce(_otherDigests, (keyName, namedDigest));
            }
        }
    }

    /// <summary>
    /// A keyless signature that verified against a trusted root: it counts for each of the entry's identities it
    /// matched (<paramref name="identities"/>); one that matched none, over this digest, is kept to name its signer.
    /// </summary>
    public void AddKeylessSignature(Sigstore.FulcioIdentity signer, string namedDigest, IReadOnlyList<string> identities)
    {
        foreach (var identity in identities)
        {
            AddSignature(identity, namedDigest);
        }

        if (identities.Count == 0 && namedDigest == digest)
        {
            lock (_lock)
            {
                AddOnce(_otherKeyless, (signer.Subject, signer.Issuer ?? "none"));
            }
        }
    }

    /// <summary>An attestation about this digest whose keyless signature verified and named a trusted identity.</summary>
    public void AddAttestation(AttestationFact fact)
    {
        lock (_lock)
        {
            AddOnce(_attestations, fact);
        }
    }

    /// <summary>A keyless signature that failed a step of its verification, and why; kept for the message.</summary>
    public void AddKeylessFailure(string why)
    {
        lock (_lock)
        {
            AddOnce(_keylessFailures, why);
        }
    }

    /// <summary>Reads a DSSE envelope of an in-toto statement: a cosign signature statement, or an attestation.</summary>
    public void AddEnvelope(DsseEnvelope envelope)
    {
        // The statement is read before it is verified only to choose the keys that may have signed it.
        if (envelope.InTotoPayload() is not { } payload || InTotoStatement.Read(payload) is not { } statement)
        {
            return;
        }

        foreach (var keyName in envelope.SignedBy(payload, Keys.For(statement.PredicateType)))
        {
            if (statement.PredicateType == Cosign.SignPredicate)
            {
                // Required annotations live in a simple-signing payload: a signature statement cannot carry them.
                if (Keys.Annotations.Count > 0)
                {
                    continue;
                }

                // A statement about several artifacts, this one among them, signs this one; the others are no concern here.
                foreach (var named in statement.IsAbout(digest) ? [digest] : statement.SubjectDigests())
                {
                    AddSignature(keyName, named);
                }
            }
            else if (statement.IsAbout(digest) && Predicates.Fact(statement, keyName) is { } fact)
            {
                lock (_lock)
                {
                    AddOnce(_attestations, fact);
                }
            }
        }
    }

    public ImageFacts ToFacts(string image)
    {
        lock (_lock)
        {
            return new ImageFacts(image)
            {
                Digest = digest,
                SignedBy = [.. _signedBy],
                SignaturesForOtherDigests = [.. _otherDigests],
                OtherKeylessSigners = [.. _otherKeyless],
                KeylessFailures = [.. _keylessFailures],
                Attestations = [.. _attestations],
            };
        }
    }

    private static void AddOnce<T>(List<T> list, T item)
    {
        if (!list.Contains(item))
        {
            list.Add(item);
        }
    }
}
