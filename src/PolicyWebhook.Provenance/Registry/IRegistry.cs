namespace PolicyWebhook.Provenance.Registry;

/// <summary>A manifest or index as the registry served it: its digest, media type and exact bytes.</summary>
public sealed record RegistryManifest(string Digest, string MediaType, ReadOnlyMemory<byte> Bytes);

/// <summary>
/// The OCI distribution calls image verification makes. Every call is bounded by the caller's token (the admission
/// deadline) and by the client's size caps; a repository is the path after the registry host (<c>shop/app</c>).
/// </summary>
public interface IRegistry
{
    /// <summary>The manifest a tag or digest names; null when the registry says it does not exist (404).</summary>
    Task<RegistryManifest?> GetManifestAsync(string registry, string repository, string reference, CancellationToken cancellationToken);

    /// <summary>A blob's bytes, checked against its digest.</summary>
    Task<ReadOnlyMemory<byte>> GetBlobAsync(string registry, string repository, string digest, CancellationToken cancellationToken);

    /// <summary>
    /// The referrers of a digest, as an OCI image index: through the referrers API, or where the registry lacks it
    /// (404), through the referrers tag schema (tag <c>sha256-&lt;hex&gt;</c>). Null when there are none.
    /// </summary>
    Task<RegistryManifest?> GetReferrersAsync(string registry, string repository, string digest, CancellationToken cancellationToken);
}

/// <summary>Raised when a registry cannot answer: unreachable, a 5xx, a timeout, a body over the cap. The message says which.</summary>
public sealed class RegistryUnavailableException : Exception
{
    public RegistryUnavailableException(string message)
        : base(message)
    {
    }

    public RegistryUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RegistryUnavailableException()
    {
    }
}

/// <summary>
/// Raised when a registry answers with content that is refused: over the size cap, not the digest asked for, or not
/// JSON where JSON is due. An artifact so refused simply does not count; it never makes the image "unavailable", so
/// whoever may push to a repository cannot turn a rule's <c>onError: Allow</c> into a way around verification.
/// </summary>
public sealed class RegistryContentException : Exception
{
    public RegistryContentException(string message)
        : base(message)
    {
    }

    public RegistryContentException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RegistryContentException()
    {
    }
}
