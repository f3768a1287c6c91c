namespace PolicyWebhook.Policies.Resources;

/// <summary>Check <c>imageVerification</c>: images run only when trusted keys signed, scanned or attested their digest.</summary>
public sealed class ImageVerificationRule : ModeOnlyRule
{
    /// <summary>Each entry covers the images its globs match; every entry covering an image is judged.</summary>
    public List<ImageVerificationEntrySpec>? Entries { get; set; }
}

/// <summary>One entry: the images it covers, the keys that must have signed them, and the attestations required.</summary>
public sealed class ImageVerificationEntrySpec
{
    /// <summary>Named in messages; defaults to <c>entries[i]</c>.</summary>
    public string? Name { get; set; }

    /// <summary>Globs over the full normalised reference, such as <c>registry.example.com/shop/*</c>.</summary>
    public List<string>? Images { get; set; }

    /// <summary>The keys whose signatures count.</summary>
    public List<TrustedKeySpec>? Keys { get; set; }

    /// <summary>The keyless signers (Fulcio certificate identities) whose signatures count, beside the keys'.</summary>
    public List<KeylessIdentitySpec>? Keyless { get; set; }

    /// <summary>How many distinct signers of <see cref="Keys"/> and <see cref="Keyless"/> must have signed; 1 when left out.</summary>
    public int? RequiredSignatures { get; set; }

    /// <summary>
    /// The Sigstore trusted roots keyless signatures of this entry are verified against: <c>built-in</c>, or the name of
    /// a <c>*.json</c> key of the trusted roots ConfigMap (a private Sigstore). All the server trusts when left out.
    /// </summary>
    public List<string>? TrustedRoots { get; set; }

    /// <summary>Annotations a signature's payload must carry with exactly these values (cosign's <c>-a key=value</c>).</summary>
    public Dictionary<string, string>? Annotations { get; set; }

    public AttestationsSpec? Attestations { get; set; }

    /// <summary>Deny (the default) or Allow, with a warning, when the registry cannot answer in time.</summary>
    public string? OnError { get; set; }
}

/// <summary>
/// A trusted public key: exactly one of <see cref="PublicKey"/>, <see cref="SecretRef"/> and <see cref="ConfigMapRef"/>.
/// Keyless signers are listed beside keys, in <see cref="ImageVerificationEntrySpec.Keyless"/>.
/// </summary>
public sealed class TrustedKeySpec
{
    /// <summary>Named in messages; see the policy reference for the name a key gets when it has none.</summary>
    public string? Name { get; set; }

    /// <summary>The key inline, PEM (<c>-----BEGIN PUBLIC KEY-----</c>), as <c>cosign generate-key-pair</c> writes cosign.pub.</summary>
    public string? PublicKey { get; set; }

    /// <summary>A key of a Secret in the webhook's own namespace holding the PEM.</summary>
    public KeyReferenceSpec? SecretRef { get; set; }

    /// <summary>A key of a ConfigMap in the webhook's own namespace holding the PEM.</summary>
    public KeyReferenceSpec? ConfigMapRef { get; set; }
}

/// <summary>
/// A keyless signer: the OIDC issuer and the subject (URI or email) its Fulcio certificate must name, exactly or by a
/// regular expression matching all of it, and certificate extensions that must hold exactly the values given.
/// </summary>
public sealed class KeylessIdentitySpec
{
    /// <summary>The OIDC issuer, such as https://token.actions.githubusercontent.com.</summary>
    public string? Issuer { get; set; }

    /// <summary>The exact subject, such as https://github.com/acme/shop/.github/workflows/release.yml@refs/heads/main.</summary>
    public string? Subject { get; set; }

    /// <summary>A regular expression the whole subject must match, instead of <see cref="Subject"/>.</summary>
    public string? SubjectRegExp { get; set; }

    /// <summary>Fulcio certificate extensions by their Sigstore names (sourceRepositoryURI, sourceRepositoryRef, ...), and the values they must hold.</summary>
    public Dictionary<string, string>? Extensions { get; set; }
}

/// <summary>A data key of a Secret or ConfigMap in the webhook's own namespace; there is no namespace field on purpose.</summary>
public sealed class KeyReferenceSpec
{
    public string? Name { get; set; }

    public string? Key { get; set; }
}

/// <summary>The attestations an image's digest must carry.</summary>
public sealed class AttestationsSpec
{
    public VulnerabilityAttestationSpec? Vulnerabilities { get; set; }

    public ProvenanceAttestationSpec? Provenance { get; set; }
}

/// <summary>A cosign vulnerability attestation (<c>cosign attest --type vuln</c>): who signs it, the worst finding and oldest scan allowed.</summary>
public sealed class VulnerabilityAttestationSpec
{
    public List<TrustedKeySpec>? Keys { get; set; }

    /// <summary>Keyless signers whose scan attestations count beside the keys'.</summary>
    public List<KeylessIdentitySpec>? Keyless { get; set; }

    /// <summary>LOW, MEDIUM, HIGH or CRITICAL, in any case: findings above it are refused.</summary>
    public string? MaximumSeverity { get; set; }

    /// <summary>The oldest scan allowed, such as 30m, 12h or 7d.</summary>
    public string? MaximumAge { get; set; }
}

/// <summary>An SLSA provenance attestation: who signs it, and the builders allowed (any when left out).</summary>
public sealed class ProvenanceAttestationSpec
{
    public List<TrustedKeySpec>? Keys { get; set; }

    /// <summary>Keyless signers whose provenance attestations count beside the keys'.</summary>
    public List<KeylessIdentitySpec>? Keyless { get; set; }

    public List<string>? BuilderIds { get; set; }
}
