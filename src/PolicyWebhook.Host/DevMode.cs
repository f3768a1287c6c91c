using PolicyWebhook.Host.Server;
using PolicyWebhook.Host.Tls;

namespace PolicyWebhook.Host;

/// <summary>
/// <c>--dev</c>: a self-signed CA and certificate for 127.0.0.1 and localhost, the built-in default policy, and
/// https://127.0.0.1:8443, so one command runs the webhook on a laptop. In a container,
/// <c>--dev --Server:Address=0.0.0.0</c> serves a published port, which the host reaches as 127.0.0.1.
/// </summary>
public static class DevMode
{
    /// <summary>Removes <c>--dev</c> from the arguments; when it was there, creates the certificates (in <paramref name="folder"/>, by default a temporary one) and returns the settings that use them.</summary>
    public static string[] Apply(string[] args, out Dictionary<string, string?>? settings, string? folder = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        settings = null;
        if (!args.Contains("--dev", StringComparer.Ordinal))
        {
            return args;
        }

        folder ??= Path.Combine(Path.GetTempPath(), "policywebhook-dev");
        DevCertificates.Create(folder);
        settings = new Dictionary<string, string?>
        {
            ["Server:Address"] = "127.0.0.1",
            ["Tls:CertificateFile"] = Path.Combine(folder, "tls.crt"),
            ["Tls:KeyFile"] = Path.Combine(folder, "tls.key"),
        };
        return [.. args.Where(a => a != "--dev")];
    }

    /// <summary>
    /// Adds the dev settings below the command line, so <c>--Server:Port=9443</c> and <c>--Server:Address=0.0.0.0</c>
    /// still win, and prints where the server then listens.
    /// </summary>
    public static WebApplicationBuilder UseDevSettings(this WebApplicationBuilder builder, Dictionary<string, string?>? settings, string[] args)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
            builder.Configuration.AddCommandLine(args);
            var server = builder.Configuration.GetSection(ServerOptions.Section).Get<ServerOptions>() ?? new ServerOptions();
            var ca = Path.Combine(Path.GetDirectoryName(settings["Tls:CertificateFile"])!, "ca.crt");
            var inContainer = Environment.GetEnvironmentVariable("DOTNET_RUNNING_IN_CONTAINER") == "true";
            foreach (var line in Banner(server, ca, inContainer))
            {
                Console.WriteLine(line);
            }
        }

        return builder;
    }

    /// <summary>What <c>--dev</c> prints: the addresses the settings bind, a URL the certificate is valid for, and the CA.</summary>
    public static IReadOnlyList<string> Banner(ServerOptions server, string caFile, bool inContainer)
    {
        ArgumentNullException.ThrowIfNull(server);
        var everyInterface = server.Address is "*" or "" or "0.0.0.0" or "::";
        var bound = everyInterface ? "every interface" : server.Address;
        // The certificate names 127.0.0.1, ::1 and localhost: a client that reaches every-interface through a
        // published port or the loopback connects to one of those.
        var host = everyInterface ? "127.0.0.1" : server.Address.Contains(':', StringComparison.Ordinal) ? $"[{server.Address}]" : server.Address;
        var url = $"https://{host}:{server.Port}";
        var ports = server.ManagementPort == 0
            ? $"port {server.Port} (HTTPS, with metrics and health)"
            : $"ports {server.Port} (HTTPS) and {server.ManagementPort} (metrics and health, plain HTTP)";
        List<string> lines =
        [
            $"PolicyWebhook --dev: listening on {bound}, {ports}; serving {url}.",
            "Policies: the built-in default, or the folder given with --Policies:Directory=/absolute/path.",
            $"The certificate names 127.0.0.1, ::1 and localhost; its CA is {caFile}. For example: curl --cacert {caFile} {url}/validate ...",
        ];
        if (inContainer)
        {
            lines.Add(everyInterface
                ? $"From the host, through the published ports (docker run -p {server.Port}:{server.Port} ...): {url}; copy the CA out with docker cp <container>:{caFile} ."
                : $"In a container, {server.Address} is the container's own: add --Server:Address=0.0.0.0 and publish the ports to reach it from the host.");
        }

        return lines;
    }
}
