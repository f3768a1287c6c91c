using PolicyWebhook.Engine.Checks;
using PolicyWebhook.Engine.Matching;

namespace PolicyWebhook.Engine.Images;

/// <summary>What a rule entry does when the registry cannot answer in time: deny, or allow with a warning.</summary>
public enum RegistryErrorAction
{
    Deny,
    Allow,
}

/// <summary>
/// A trusted public key, named for messages. It is data only: <see cref="Pem"/> inline, or a key of a Secret or
/// ConfigMap in the webhook's own namespace that the host reads; the engine never reads either.
/// </summary>
public sealed record TrustedKeySource(string Name, string? Pem = null, string? SecretName = null, string? ConfigMapName = null, string? Key = null);

/// <summary>
/// A keyless signer: the OIDC issuer its Fulcio certificate must name, the subject (a URI or email in the
/// certificate's Subject Alternative Name) exactly or as a regular expression that must match all of it, and
/// Fulcio certificate extensions that must hold exactly these values (by their Sigstore names, such as
/// <c>sourceRepositoryURI</c>). It is data only: the host verifies certificates and the engine compares names.
/// </summary>
public sealed record KeylessIdentity(string Issuer, string? Subject, string? SubjectRegExp, IReadOnlyDictionary<string, string> Extensions)
{
    /// <summary>How the identity is named in facts and messages: its subject, or its regular expression.</summary>
    public string Name => Subject ?? SubjectRegExp ?? string.Empty;
}

/// <summary>A required cosign vulnerability attestation: its keys, the highest severity allowed, the oldest scan allowed.</summary>
public sealed record VulnerabilityRequirement(IReadOnlyList<TrustedKeySource> Keys, VulnerabilitySeverity? MaximumSeverity, TimeSpan? MaximumAge)
{
    /// <summary>Keyless signers whose scan attestations count beside the keys'.</summary>
    public IReadOnlyList<KeylessIdentity> Keyless { get; init; } = [];
}

/// <summary>A required SLSA provenance attestation: its keys and the builder ids allowed (any when empty).</summary>
public sealed record ProvenanceRequirement(IReadOnlyList<TrustedKeySource> Keys, IReadOnlyList<string> BuilderIds)
{
    /// <summary>Keyless signers whose provenance attestations count beside the keys'.</summary>
    public IReadOnlyList<KeylessIdentity> Keyless { get; init; } = [];
}

/// <summary>
/// One entry of an image verification rule: the images it covers (globs over the full normalised reference), the
/// signature keys and how many distinct ones must have signed, the attestations required, and what a registry error does.
/// </summary>
public sealed record ImageVerificationEntry(
    string Name,
    IReadOnlyList<string> Images,
    IReadOnlyList<TrustedKeySource> Keys,
    int RequiredSignatures,
    VulnerabilityRequirement? Vulnerabilities,
    ProvenanceRequirement? Provenance,
    RegistryErrorAction OnError)
{
    private readonly GlobSet _images = new(Images.Select(ImageRegistriesCheck.NormalizePattern));

    /// <summary>What the result cache keys this entry by: the policy's uid and generation and the entry's place in it.</summary>
    public string CacheKey { get; init; } = Name;

    /// <summary>Keyless signers whose signatures count beside the keys' towards <see cref="RequiredSignatures"/>.</summary>
    public IReadOnlyList<KeylessIdentity> Keyless { get; init; } = [];

    /// <summary>
    /// The Sigstore trusted roots, by name, that keyless signatures of this entry are verified against (a private
    /// Sigstore's); every root the server trusts when empty.
    /// </summary>
    public IReadOnlyList<string> TrustedRoots { get; init; } = [];

    /// <summary>Annotations a signature's payload must carry with these values (cosign's <c>-a key=value</c>) to count.</summary>
    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();

    /// <summary>True when signatures are required at all: the entry names keys or keyless signers.</summary>
    public bool WantsSignatures => Keys.Count > 0 || Keyless.Count > 0;

    /// <summary>True when this entry covers the image: a glob matches its repository, its repository and tag, or the whole reference.</summary>
    public bool Covers(string image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var reference = ImageReference.Parse(image);
        // Name builds a string each time it is read: once here, and the longer forms only when the shorter did not match.
        var name = reference.Name;
        if (_images.Matches(name))
        {
            return true;
        }

        var tagged = reference.Tag is null ? name : name + ":" + reference.Tag;
        return (reference.Tag is not null && _images.Matches(tagged))
            || _images.Matches(reference.Digest is null ? tagged : tagged + "@" + reference.Digest);
    }
}

/// <summary>The options of check <c>imageVerification</c>: its entries, in the order the policy lists them.</summary>
public sealed record ImageVerificationOptions(IReadOnlyList<ImageVerificationEntry> Entries);
