using System.ComponentModel.DataAnnotations;

namespace PolicyWebhook.Host.Server;

/// <summary>Where the service listens, bound from the <c>Server</c> section.</summary>
public sealed class ServerOptions
{
    public const string Section = "Server";

    /// <summary>The address to bind: <c>*</c> for every interface (the default), or an IP address such as 127.0.0.1.</summary>
    public string Address { get; set; } = "*";

    /// <summary>The HTTPS port of the admission endpoints; 0 picks a free one (tests).</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 8443;

    /// <summary>At most this many open connections; the API server uses a handful, so this only bounds abuse.</summary>
    [Range(1, 100_000)]
    public int MaxConnections { get; set; } = 1000;

    /// <summary>A plain-HTTP port for /metrics, /healthz and /readyz; 0 serves them on the HTTPS port instead.</summary>
    [Range(0, 65535)]
    public int ManagementPort { get; set; } = 8080;
}
