using PolicyWebhook.Engine.Images;

namespace PolicyWebhook.Provenance;

/// <summary>
/// Gathers the facts the engine judges about one image: the digest it names, and which trusted keys signed and
/// attested that digest. Registry errors raise <see cref="Registry.RegistryUnavailableException"/>; the caller's
/// token carries the admission deadline.
/// </summary>
public interface IImageVerifier
{
    /// <summary>The digest the image names: its own digest when it has one (no registry call), else the tag resolved.</summary>
    Task<string> ResolveDigestAsync(ImageReference reference, CancellationToken cancellationToken);

    /// <summary>
    /// The signatures and attestations of <paramref name="digest"/> that verify with the entry's keys. A signature
    /// counts only if its payload names this digest, an attestation only if its subject does.
    /// </summary>
    Task<ImageFacts> VerifyAsync(ImageReference reference, string digest, ImageVerificationEntry entry, CancellationToken cancellationToken);
}

/// <summary>Reads the PEM of a trusted key: inline, or from a Secret or ConfigMap in the webhook's own namespace.</summary>
public interface IKeyMaterial
{
    /// <summary>The PEM text; throws <see cref="KeyMaterialException"/> saying which Secret or key is missing.</summary>
    string ReadPem(TrustedKeySource source);

    /// <summary>
    /// A short fingerprint of the PEM the source names as it is now, cheap enough for every admission: the cache keys
    /// results by it, so a verdict made with a key since replaced is not reused. Empty where the PEM cannot change.
    /// </summary>
    string Fingerprint(TrustedKeySource source);
}

/// <summary>A trusted key that cannot be read: a Secret, ConfigMap or key that does not exist, or PEM that does not parse.</summary>
public sealed class KeyMaterialException : Exception
{
    public KeyMaterialException(string message)
        : base(message)
    {
    }

    public KeyMaterialException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public KeyMaterialException()
    {
    }
}
