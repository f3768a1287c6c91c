namespace PolicyWebhook.Engine.Images;

/// <summary>Severities as scanners (Trivy, Grype) report them, lowest first; a name the engine does not know is <see cref="Unknown"/>.</summary>
public enum VulnerabilitySeverity
{
    Unknown,
    Negligible,
    Low,
    Medium,
    High,
    Critical,
}

/// <summary>One finding of a vulnerability scan: <c>CVE-2024-3094 CRITICAL</c>.</summary>
public sealed record Vulnerability(string Id, VulnerabilitySeverity Severity);

/// <summary>What a verified vulnerability attestation says: when the scan finished and what it found.</summary>
public sealed record VulnerabilityScan(DateTimeOffset? FinishedOn, IReadOnlyList<Vulnerability> Vulnerabilities);

/// <summary>
/// An attestation whose signature verified with a trusted key and whose in-toto subject names the admitted digest.
/// <see cref="KeyName"/> is the name of that key in the rule entry; <see cref="Scan"/> is set for the cosign vulnerability
/// predicate, <see cref="BuilderId"/> for SLSA provenance.
/// </summary>
public sealed record AttestationFact(string PredicateType, string KeyName)
{
    public const string VulnerabilityPredicate = "https://cosign.sigstore.dev/attestation/vuln/v1";

    /// <summary>The SLSA provenance predicate types read for a builder id (v0.2 <c>builder.id</c>, v1 <c>runDetails.builder.id</c>).</summary>
    public static readonly IReadOnlyList<string> ProvenancePredicates = ["https://slsa.dev/provenance/v0.2", "https://slsa.dev/provenance/v1"];

    public VulnerabilityScan? Scan { get; init; }

    public string? BuilderId { get; init; }
}

/// <summary>
/// What is true of one image for one rule entry, gathered before evaluation (by PolicyWebhook.Provenance: the registry
/// round, the signature formats, the cache) so the engine judges it like any field and does no I/O itself.
/// </summary>
/// <param name="Image">The image as the pod names it.</param>
public sealed record ImageFacts(string Image)
{
    /// <summary>The digest the facts are about (the tag resolved, or the digest the pod named); null when it could not be resolved.</summary>
    public string? Digest { get; init; }

    /// <summary>Names of the entry's signature keys with a valid signature whose payload names <see cref="Digest"/>.</summary>
    public IReadOnlyList<string> SignedBy { get; init; } = [];

    /// <summary>Signatures by a trusted key that verified but name another digest: the key's name and the digest named.</summary>
    public IReadOnlyList<(string KeyName, string Digest)> SignaturesForOtherDigests { get; init; } = [];

    /// <summary>
    /// Keyless signatures that verified against the trusted root and name <see cref="Digest"/>, but whose certificate
    /// names none of the entry's identities: who signed, for the message.
    /// </summary>
    public IReadOnlyList<(string Subject, string Issuer)> OtherKeylessSigners { get; init; } = [];

    /// <summary>Why keyless signatures found for the image did not verify, each naming the step that failed (<c>certificate chain: …</c>).</summary>
    public IReadOnlyList<string> KeylessFailures { get; init; } = [];

    /// <summary>Verified attestations whose subject is <see cref="Digest"/>, by any of the entry's attestation keys.</summary>
    public IReadOnlyList<AttestationFact> Attestations { get; init; } = [];

    /// <summary>Why the registry gave no answer (did not answer within 2 s, answered 500, unreachable); null when it answered.</summary>
    public string? Unavailable { get; init; }

    /// <summary>
    /// Why the image could not be verified for good, whatever the rule's <c>onError</c> says: the image does not exist,
    /// a trusted key cannot be read, verification failed unexpectedly, the pod names too many images. Null otherwise.
    /// Only a registry that does not answer is <see cref="Unavailable"/>; nothing else may turn into an allow.
    /// </summary>
    public string? Failure { get; init; }
}

/// <summary>Finds the facts gathered for an image under a rule entry; the host fills it before evaluating.</summary>
public interface IImageFactsLookup
{
    /// <summary>The facts for this entry and image as the pod names it; null when none were gathered.</summary>
    ImageFacts? Find(ImageVerificationEntry entry, string image);
}
