namespace PolicyWebhook.Host.Tls;

/// <summary>The serving certificate, bound from the <c>Tls</c> section: PEM files as mounted from a Secret.</summary>
public sealed class TlsOptions
{
    public const string Section = "Tls";

    public string CertificateFile { get; set; } = "/etc/policywebhook/tls/tls.crt";

    public string KeyFile { get; set; } = "/etc/policywebhook/tls/tls.key";

    /// <summary>How often the files are checked for a rotation.</summary>
    public TimeSpan ReloadInterval { get; set; } = TimeSpan.FromSeconds(10);
}
