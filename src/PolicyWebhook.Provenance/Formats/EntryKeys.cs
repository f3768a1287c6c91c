using PolicyWebhook.Engine.Images;

namespace PolicyWebhook.Provenance.Formats;

/// <summary>
/// The parsed keys of one rule entry by what they may vouch for: image signatures, vulnerability attestations, SLSA
/// provenance. A statement is verified only with the keys of its own predicate type, so a scanner's key never signs an
/// image and a signer's key never vouches for a scan.
/// </summary>
internal sealed record EntryKeys(IReadOnlyList<NamedKey> Signatures, IReadOnlyList<NamedKey> Vulnerabilities, IReadOnlyList<NamedKey> Provenance)
{
    public bool WantsAttestations => Vulnerabilities.Count > 0 || Provenance.Count > 0 || VulnerabilityKeyless.Count > 0 || ProvenanceKeyless.Count > 0;

    /// <summary>The keyless signers whose signatures count beside <see cref="Signatures"/>.</summary>
    public IReadOnlyList<KeylessIdentity> Keyless { get; init; } = [];

    /// <summary>The trusted roots, by name, keyless signatures are verified against; all the server's when empty.</summary>
    public IReadOnlyList<string> TrustedRoots { get; init; } = [];

    /// <summary>Annotations a simple-signing payload must carry for its signature to count.</summary>
    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();

    /// <summary>Keyless signers whose vulnerability scan attestations count.</summary>
    public IReadOnlyList<KeylessIdentity> VulnerabilityKeyless { get; init; } = [];

    /// <summary>Keyless signers whose SLSA provenance attestations count.</summary>
    public IReadOnlyList<KeylessIdentity> ProvenanceKeyless { get; init; } = [];

    /// <summary>The keyless signers that may sign a statement of this predicate type; none for a type the engine does not judge.</summary>
    public IReadOnlyList<KeylessIdentity> KeylessFor(string? predicateType) => predicateType switch
    {
        Cosign.SignPredicate => Keyless,
        AttestationFact.VulnerabilityPredicate => VulnerabilityKeyless,
        _ when predicateType is not null && AttestationFact.ProvenancePredicates.Contains(predicateType) => ProvenanceKeyless,
        _ => [],
    };

    /// <summary>True when attestations signed keylessly are looked for.</summary>
    public bool WantsKeylessAttestations => VulnerabilityKeyless.Count > 0 || ProvenanceKeyless.Count > 0;

    /// <summary>True when image signatures are looked for at all: by a key, or keyless.</summary>
    public bool WantsSignatures => Signatures.Count > 0 || Keyless.Count > 0;

    /// <summary>The keys that may sign a statement of this predicate type; none for a type the engine does not judge.</summary>
    public IReadOnlyList<NamedKey> For(string? predicateType) => predicateType switch
    {
        Cosign.SignPredicate => Signatures,
        AttestationFact.VulnerabilityPredicate => Vulnerabilities,
        _ when predicateType is not null && AttestationFact.ProvenancePredicates.Contains(predicateType) => Provenance,
        _ => [],
    };

    /// <summary>True when an artifact announcing this predicate type (unsigned, so only a hint) is worth fetching.</summary>
    public bool Wants(string? announcedPredicateType) =>
        announcedPredicateType is null || For(announcedPredicateType).Count > 0 || KeylessFor(announcedPredicateType).Count > 0;
}
