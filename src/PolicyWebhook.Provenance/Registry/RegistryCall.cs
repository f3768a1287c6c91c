using System.Text.RegularExpressions;
using PolicyWebhook.Engine.Images;

namespace PolicyWebhook.Provenance.Registry;

/// <summary>
/// One call to a registry, for building its URLs and naming it in messages: the registry as images name it
/// (<c>docker.io</c>), the repository (<c>library/nginx</c> for Docker Hub's short names) and what is asked for.
/// </summary>
internal sealed partial record RegistryCall(string Registry, string Repository, string What, Uri Base)
{
    private const string DockerHubHost = "registry-1.docker.io";

    /// <summary>What is asked for, as a message names it: <c>shop/app manifest 1.0</c>.</summary>
    public string Subject => $"{Repository} {What}";

    /// <summary>The token scope that reads this repository.</summary>
    public string Scope => $"repository:{Repository}:pull";

    public static RegistryCall Create(string registry, string repository, string what, RegistryOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(registry);
        ArgumentException.ThrowIfNullOrWhiteSpace(repository);
        var name = ImageReference.NormalizeRegistry(registry);
        if (!RegistryPattern().IsMatch(name))
        {
            throw new ArgumentException($"registry {registry} is not a host or host:port", nameof(registry));
        }

        if (!RepositoryPattern().IsMatch(repository))
        {
            throw new ArgumentException($"repository {repository} is not a valid OCI repository name", nameof(repository));
        }

        var dockerHub = name == ImageReference.DockerHub;
        var path = dockerHub && !repository.Contains('/', StringComparison.Ordinal) ? "library/" + repository : repository;
        var scheme = options.IsInsecure(name) ? Uri.UriSchemeHttp : Uri.UriSchemeHttps;
        return new RegistryCall(name, path, what, new Uri($"{scheme}://{(dockerHub ? DockerHubHost : name)}/v2/{path}/"));
    }

    /// <summary>Throws when <paramref name="tag"/> is not an OCI tag (it goes into a URL path).</summary>
    public static void ValidateTag(string tag)
    {
        if (!TagPattern().IsMatch(tag))
        {
            throw new ArgumentException($"{tag} is neither a digest nor a valid tag", nameof(tag));
        }
    }

    /// <summary>True when <paramref name="uri"/> is this registry's host and port, which may receive its Authorization.</summary>
    public bool IsRegistryHost(Uri? uri) =>
        uri is not null && Uri.Compare(uri, Base, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;

    [GeneratedRegex(@"^([a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(:[0-9]{1,5})?$")]
    private static partial Regex RegistryPattern();

    // The OCI distribution specification's name and tag grammars.
    [GeneratedRegex(@"^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$")]
    private static partial Regex RepositoryPattern();

    [GeneratedRegex(@"^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$")]
    private static partial Regex TagPattern();
}
