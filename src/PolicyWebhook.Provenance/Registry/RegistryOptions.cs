namespace PolicyWebhook.Provenance.Registry;

/// <summary>How the registry client reaches registries: which may be spoken to over plain HTTP, and how much it reads.</summary>
public sealed class RegistryOptions
{
    public const int MiB = 1024 * 1024;

    /// <summary>Registries (<c>host:port</c>, as images name them) reached over plain HTTP; every other one over HTTPS.</summary>
    public IList<string> InsecureRegistries { get; set; } = [];

    /// <summary>The most bytes read for a manifest, an index or a token answer.</summary>
    public long MaxManifestBytes { get; set; } = 4 * MiB;

    /// <summary>The most bytes read for a blob (signature payloads, attestations, configs: small by nature).</summary>
    public long MaxBlobBytes { get; set; } = 4 * MiB;

    internal bool IsInsecure(string registry) =>
        InsecureRegistries.Any(r => string.Equals(r.Trim(), registry, StringComparison.OrdinalIgnoreCase));
}
