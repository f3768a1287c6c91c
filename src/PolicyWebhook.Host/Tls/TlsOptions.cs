namespace PolicyWebhook.Host.Tls;

/// <summary>The serving certificate, bound from the <c>Tls</c> section: PEM files as mounted from a Secret.</summary>
public sealed class TlsOptions
{
    public const string Section = "Tls";

    public string CertificateFile { get; set; } = "/etc/policywebhook/tls/tls.crt";

    public string KeyFile { get; set; } = "/etc/policywebhook/tls/tls.key";

    /// <summary>
    /// A PEM bundle of CAs: when set, a client of the admission port must present a certificate from one of them
    /// (mutual TLS, so only the API server can ask for reviews). Health and metrics stay on the management port.
    /// </summary>
    public string? ClientCaFile { get; set; }

    /// <summary>How often the files are checked for a rotation.</summary>
    public TimeSpan ReloadInterval { get; set; } = TimeSpan.FromSeconds(10);
}
