using System.Text;
using System.Text.Json;
using PolicyWebhook.Engine.Images;

namespace PolicyWebhook.Provenance.Registry;

/// <summary>
/// Registry user names and passwords from a docker config JSON (a <c>kubernetes.io/dockerconfigjson</c> Secret's
/// <c>.dockerconfigjson</c>): <c>auths</c> keyed by host or URL, each with <c>auth</c> (base64 <c>user:password</c>)
/// or <c>username</c> and <c>password</c>. Credential helpers and identity tokens are not read.
/// </summary>
public sealed class DockerConfigCredentials
{
    private readonly Dictionary<string, RegistryCredential> _byRegistry;

    private DockerConfigCredentials(Dictionary<string, RegistryCredential> byRegistry) => _byRegistry = byRegistry;

    /// <summary>No credentials: every registry is asked anonymously.</summary>
    public static DockerConfigCredentials Empty { get; } = new([]);

    /// <summary>The registries that have credentials, as images name them (<c>docker.io</c>, <c>registry.example.com:5000</c>).</summary>
    public IReadOnlyCollection<string> Registries => _byRegistry.Keys;

    /// <summary>Reads a docker config JSON; throws <see cref="FormatException"/> naming the entry that is wrong, never its secret.</summary>
    public static DockerConfigCredentials Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"the docker config is not JSON: {e.Message}", e);
        }

        using (document)
        {
            var byRegistry = new Dictionary<string, RegistryCredential>(StringComparer.OrdinalIgnoreCase);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("auths", out var auths) || auths.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("the docker config has no \"auths\" object");
            }

            foreach (var entry in auths.EnumerateObject())
            {
                byRegistry[RegistryOf(entry.Name)] = Read(entry);
            }

            return new DockerConfigCredentials(byRegistry);
        }
    }

    /// <summary>The credential for a registry as images name it; Docker Hub's other names count as <c>docker.io</c>.</summary>
    internal RegistryCredential? Find(string registry) =>
        _byRegistry.GetValueOrDefault(ImageReference.NormalizeRegistry(registry));

    /// <summary><c>https://index.docker.io/v1/</c> is <c>docker.io</c>; <c>https://host:5000/path</c> is <c>host:5000</c>.</summary>
    private static string RegistryOf(string key)
    {
        var host = key.Trim();
        var scheme = host.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            host = host[(scheme + 3)..];
        }

        var slash = host.IndexOf('/', StringComparison.Ordinal);
        return ImageReference.NormalizeRegistry(slash >= 0 ? host[..slash] : host);
    }

    private static RegistryCredential Read(JsonProperty entry)
    {
        var value = entry.Value;
        if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty("auth", out var auth) && auth.ValueKind == JsonValueKind.String
            && !string.IsNullOrEmpty(auth.GetString()))
        {
            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(auth.GetString()!));
            }
            catch (FormatException)
            {
                throw new FormatException($"the docker config entry for {entry.Name} has an \"auth\" that is not base64");
            }

            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            return colon > 0
                ? new RegistryCredential(decoded[..colon], decoded[(colon + 1)..])
                : throw new FormatException($"the docker config entry for {entry.Name} has an \"auth\" that is not user:password");
        }

        if (value.ValueKind == JsonValueKind.Object
            && value.TryGetProperty("username", out var user) && user.ValueKind == JsonValueKind.String && !string.IsNullOrEmpty(user.GetString())
            && value.TryGetProperty("password", out var password) && password.ValueKind == JsonValueKind.String)
        {
            return new RegistryCredential(user.GetString()!, password.GetString()!);
        }

        throw new FormatException($"the docker config entry for {entry.Name} has neither \"auth\" nor \"username\" and \"password\"");
    }
}

/// <summary>A registry user and password; <see cref="ToString"/> never shows the password.</summary>
internal sealed class RegistryCredential(string username, string password)
{
    public string Username { get; } = username;

    public string Password { get; } = password;

    /// <summary>The value of a Basic Authorization header.</summary>
    public string Basic => Convert.ToBase64String(Encoding.UTF8.GetBytes(Username + ":" + Password));

    public override string ToString() => Username + " (password hidden)";
}
