using PolicyWebhook.Provenance.Registry;

namespace PolicyWebhook.Provenance;

/// <summary>Builds the verifier the server and the command line use: the registry client over its own handler, and the formats.</summary>
public static class Verification
{
    /// <summary>
    /// A verifier that reaches registries over HTTPS (plain HTTP for <paramref name="insecureRegistries"/>), with the
    /// credentials of a docker config JSON where given. Throws <see cref="FormatException"/> for a config that does not parse.
    /// </summary>
    public static ImageVerifier CreateVerifier(IEnumerable<string> insecureRegistries, string? dockerConfigJson, IKeyMaterial keys, TimeProvider? time = null) =>
        CreateVerifier(insecureRegistries, dockerConfigJson, keys, null, time);

    /// <summary>As the overload above, verifying keyless signatures against <paramref name="roots"/> (the embedded public-good root when null).</summary>
    public static ImageVerifier CreateVerifier(IEnumerable<string> insecureRegistries, string? dockerConfigJson, IKeyMaterial keys, IReadOnlyList<Sigstore.TrustedRoot>? roots, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(insecureRegistries);
        var options = new RegistryOptions();
        foreach (var registry in insecureRegistries)
        {
            options.InsecureRegistries.Add(registry);
        }

        var credentials = dockerConfigJson is null ? null : DockerConfigCredentials.Parse(dockerConfigJson);
        // Redirects are followed by the client itself (never HTTPS to HTTP, no credentials to another host), so the handler follows none.
        var http = new HttpClient(RegistryClient.CreateHandler(), disposeHandler: true);
        return new ImageVerifier(new RegistryClient(http, options, credentials, time), keys, time, roots);
    }
}
