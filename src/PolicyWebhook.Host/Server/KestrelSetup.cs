using System.Net;
using System.Security.Authentication;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Options;
using PolicyWebhook.Host.Admission;
using PolicyWebhook.Host.Tls;

namespace PolicyWebhook.Host.Server;

/// <summary>
/// Kestrel as the API server needs it: HTTPS with TLS 1.2 and 1.3 only, HTTP/2 and HTTP/1.1 on the admission
/// port, the certificate taken from the reloader at every handshake, and a plain-HTTP management port.
/// </summary>
public static class KestrelSetup
{
    public static WebApplicationBuilder ConfigureWebhookKestrel(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            var server = kestrel.ApplicationServices.GetRequiredService<IOptions<ServerOptions>>().Value;
            var admission = kestrel.ApplicationServices.GetRequiredService<IOptions<AdmissionOptions>>().Value;
            var certificates = kestrel.ApplicationServices.GetRequiredService<CertificateReloader>();
            var clients = kestrel.ApplicationServices.GetRequiredService<ClientCertificateValidator>();
            clients.LoadFirst(); // Fail at start, naming the file, rather than refusing every handshake.
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = admission.MaxRequestBodyBytes;
            // The API server allows a webhook seconds, not minutes: a slow sender is cut off early.
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            kestrel.Limits.MaxConcurrentConnections = server.MaxConnections;
            // A body that trickles in ties up a buffer; the API server sends its few kilobytes at once.
            kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 4096, gracePeriod: TimeSpan.FromSeconds(2));

            _ = certificates.Context; // Fail at start, naming the missing file, rather than at the first handshake.
            Listen(kestrel, server.Address, server.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(new TlsHandshakeCallbackOptions
                {
                    OnConnection = _ => ValueTask.FromResult(new System.Net.Security.SslServerAuthenticationOptions
                    {
                        ServerCertificateContext = certificates.Context,
                        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                        ClientCertificateRequired = clients.Required,
                        RemoteCertificateValidationCallback = clients.Required ? (_, certificate, chain, errors) => clients.Validate(certificate, chain, errors) : null,
                    }),
                });
            });

            if (server.ManagementPort != 0)
            {
                Listen(kestrel, server.Address, server.ManagementPort, listen => listen.Protocols = HttpProtocols.Http1);
            }
        });
        return builder;
    }

    private static void Listen(KestrelServerOptions kestrel, string address, int port, Action<ListenOptions> configure)
    {
        if (address is "*" or "")
        {
            kestrel.ListenAnyIP(port, configure);
        }
        else if (address == "localhost")
        {
            kestrel.ListenLocalhost(port, configure);
        }
        else
        {
            kestrel.Listen(IPAddress.Parse(address), port, configure);
        }
    }
}
