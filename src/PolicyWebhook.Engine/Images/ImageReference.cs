namespace PolicyWebhook.Engine.Images;

/// <summary>
/// A container image reference split the way container runtimes read it: <c>[registry/]repository[:tag][@digest]</c>.
/// The first path component is a registry only when it has a dot or a port or is <c>localhost</c>; otherwise the
/// image comes from Docker Hub, <c>docker.io</c>.
/// </summary>
public readonly record struct ImageReference(string Registry, string Repository, string? Tag, string? Digest)
{
    public const string DockerHub = "docker.io";

    public static ImageReference Parse(string image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var rest = image.Trim();
        string? digest = null;
        var at = rest.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            digest = rest[(at + 1)..];
            rest = rest[..at];
        }

        string? tag = null;
        var lastSlash = rest.LastIndexOf('/');
        var colon = rest.LastIndexOf(':');
        if (colon > lastSlash)
        {
            tag = rest[(colon + 1)..];
            rest = rest[..colon];
        }

        var registry = DockerHub;
        var firstSlash = rest.IndexOf('/', StringComparison.Ordinal);
        if (firstSlash > 0)
        {
            var first = rest[..firstSlash];
            if (first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost")
            {
                registry = NormalizeRegistry(first);
                rest = rest[(firstSlash + 1)..];
            }
        }

        return new ImageReference(registry, rest, string.IsNullOrEmpty(tag) ? null : tag, string.IsNullOrEmpty(digest) ? null : digest);
    }

    /// <summary>The repository with its registry, as runtimes pull it: <c>nginx</c> is <c>docker.io/library/nginx</c>.</summary>
    public string Name => Registry == DockerHub && !Repository.Contains('/', StringComparison.Ordinal)
        ? $"{Registry}/library/{Repository}"
        : $"{Registry}/{Repository}";

    /// <summary>The whole normalised reference: <see cref="Name"/>, then <c>:tag</c> and <c>@digest</c> where given.</summary>
    public override string ToString() => Name + (Tag is null ? string.Empty : ":" + Tag) + (Digest is null ? string.Empty : "@" + Digest);

    /// <summary>The tag and whether there is a digest, without allocating: what the mutable-tag check needs.</summary>
    public static ReadOnlySpan<char> TagOf(string image, out bool hasDigest)
    {
        ArgumentNullException.ThrowIfNull(image);
        var rest = image.AsSpan().Trim();
        var at = rest.IndexOf('@');
        hasDigest = at >= 0 && at < rest.Length - 1;
        if (at >= 0)
        {
            rest = rest[..at];
        }

        var colon = rest.LastIndexOf(':');
        return colon > rest.LastIndexOf('/') ? rest[(colon + 1)..] : default;
    }

    /// <summary>Lower-cases a registry host and folds Docker Hub's other names into <c>docker.io</c>.</summary>
    public static string NormalizeRegistry(string registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var lower = registry.Trim().ToLowerInvariant();
        // HTTPS's own port names the same registry: registry.example.com:443 is registry.example.com.
        if (lower.EndsWith(":443", StringComparison.Ordinal))
        {
            lower = lower[..^4];
        }

        return lower is "index.docker.io" or "registry-1.docker.io" ? DockerHub : lower;
    }
}
