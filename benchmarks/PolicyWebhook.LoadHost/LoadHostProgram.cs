using System.Text;
using PolicyWebhook.Host;

namespace PolicyWebhook.LoadHost;

/// <summary>
/// The webhook exactly as it ships, plus <c>POST /ceiling</c>: the same Kestrel, TLS, HTTP/2 and middleware, but
/// an answer fixed in advance. What /validate reaches of /ceiling's throughput is what the webhook's own work costs.
/// </summary>
internal static class LoadHostProgram
{
    private static readonly byte[] FixedAnswer = Encoding.UTF8.GetBytes(
        """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"00000000-0000-0000-0000-000000000000","allowed":true}}""");

    public static void Main(string[] args)
    {
        if (args.Contains("--trivial"))
        {
            TrivialWebhook.Run(args);
            return;
        }

        var rest = DevMode.Apply(args, out var devSettings);
        // The server's options (content root = its own folder), so its appsettings.json configures logging as in the image.
        var builder = WebApplication.CreateBuilder(WebhookHost.Options(rest));
        builder.UseDevSettings(devSettings, rest);
        builder.AddWebhookServices();
        // LOADHOST_IOQUEUECOUNT: the socket transport's IOQueueCount, to measure it (benchmarks/load/cpu.sh VARIANTS).
        if (int.TryParse(Environment.GetEnvironmentVariable("LOADHOST_IOQUEUECOUNT"), System.Globalization.CultureInfo.InvariantCulture, out var ioQueues))
        {
            builder.WebHost.UseSockets(sockets => sockets.IOQueueCount = ioQueues);
        }

        // LOADHOST_INLINE=1: the socket transport runs the application's code on its own I/O thread instead of the
        // thread pool (with DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1, as the TechEmpower benchmarks run), to measure it.
        if (Environment.GetEnvironmentVariable("LOADHOST_INLINE") == "1")
        {
            builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
        }

        var app = builder.Build();
        app.MapWebhookEndpoints();
        app.MapPost("/ceiling", async context =>
        {
            // Read the body as /validate must, so both pay for receiving it; then answer without looking at it.
            await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted).ConfigureAwait(false);
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = FixedAnswer.Length;
            await context.Response.Body.WriteAsync(FixedAnswer, context.RequestAborted).ConfigureAwait(false);
        });
        app.Run();
    }
}
