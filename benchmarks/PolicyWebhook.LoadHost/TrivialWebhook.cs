using System.Buffers;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using PolicyWebhook.Host;

namespace PolicyWebhook.LoadHost;

/// <summary>
/// <c>--trivial</c>: the comparison for the webhook's CPU per admission, an ASP.NET Core webhook that allows
/// everything. Kestrel, TLS and HTTP/2 as the webhook has them, no middleware, no log line per request, one
/// endpoint that reads the body, finds <c>request.uid</c> and answers allowed with the uid echoed.
/// </summary>
internal static class TrivialWebhook
{
    private static readonly byte[] Before = "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"response\":{\"uid\":\""u8.ToArray();
    private static readonly byte[] After = "\",\"allowed\":true}}"u8.ToArray();

    public static void Run(string[] args)
    {
        var rest = DevMode.Apply([.. args.Where(a => a != "--trivial"), "--dev"], out var dev, Path.Combine(Path.GetTempPath(), "policywebhook-trivial"));
        var builder = WebApplication.CreateSlimBuilder(rest);
        builder.Logging.ClearProviders();
        var port = builder.Configuration.GetValue("Server:Port", 9443);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(X509Certificate2.CreateFromPemFile(dev!["Tls:CertificateFile"]!, dev["Tls:KeyFile"]));
            });
            kestrel.ListenLocalhost(port + 1); // /readyz for the harness, plain HTTP
        });
        var app = builder.Build();
        app.MapGet("/readyz", () => "ok");
        app.MapPost("/validate", AnswerAsync);
        app.Run();
    }

    private static async Task AnswerAsync(HttpContext context)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            var length = 0;
            int read;
            while ((read = await context.Request.Body.ReadAsync(buffer.AsMemory(length), context.RequestAborted).ConfigureAwait(false)) > 0)
            {
                length += read;
            }

            var uid = Uid(buffer.AsSpan(0, length));
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = Before.Length + uid.Length + After.Length;
            var writer = context.Response.BodyWriter;
            writer.Write(Before);
            writer.Write(uid);
            writer.Write(After);
            await writer.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The raw bytes of request.uid (a uid needs no unescaping), or nothing.</summary>
    private static ReadOnlySpan<byte> Uid(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        var depth1Request = false;
        while (reader.Read())
        {
            if (reader.TokenType != JsonTokenType.PropertyName)
            {
                continue;
            }

            if (reader.CurrentDepth == 1)
            {
                depth1Request = reader.ValueTextEquals("request"u8);
                if (!depth1Request)
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            else if (depth1Request && reader.CurrentDepth == 2)
            {
                if (reader.ValueTextEquals("uid"u8))
                {
                    reader.Read();
                    return reader.ValueSpan;
                }

                reader.Read();
                reader.Skip();
            }
        }

        return default;
    }
}
