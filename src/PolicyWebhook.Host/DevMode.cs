using PolicyWebhook.Host.Tls;

namespace PolicyWebhook.Host;

/// <summary>
/// <c>--dev</c>: a self-signed CA and certificate for 127.0.0.1 and localhost, the built-in default policy, and
/// https://127.0.0.1:8443, so one command runs the webhook on a laptop.
/// </summary>
public static class DevMode
{
    /// <summary>Removes <c>--dev</c> from the arguments; when it was there, creates the certificates and returns the settings that use them.</summary>
    public static string[] Apply(string[] args, out Dictionary<string, string?>? settings)
    {
        ArgumentNullException.ThrowIfNull(args);
        settings = null;
        if (!args.Contains("--dev", StringComparer.Ordinal))
        {
            return args;
        }

        var folder = Path.Combine(Path.GetTempPath(), "policywebhook-dev");
        var ca = DevCertificates.Create(folder);
        Console.WriteLine("PolicyWebhook --dev: serving https://127.0.0.1:8443, metrics and health on http://127.0.0.1:8080.");
        Console.WriteLine("Policies: the built-in default, or the folder given with --Policies:Directory=/absolute/path.");
        Console.WriteLine($"The certificate's CA is {ca}; for example: curl --cacert {ca} https://127.0.0.1:8443/validate ...");
        settings = new Dictionary<string, string?>
        {
            ["Server:Address"] = "127.0.0.1",
            ["Tls:CertificateFile"] = Path.Combine(folder, "tls.crt"),
            ["Tls:KeyFile"] = Path.Combine(folder, "tls.key"),
        };
        return [.. args.Where(a => a != "--dev")];
    }

    /// <summary>Adds the dev settings below the command line, so <c>--Server:Port=9443</c> still wins.</summary>
    public static WebApplicationBuilder UseDevSettings(this WebApplicationBuilder builder, Dictionary<string, string?>? settings, string[] args)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
            builder.Configuration.AddCommandLine(args);
        }

        return builder;
    }
}
