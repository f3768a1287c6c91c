using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PolicyWebhook.Tests.Shared;

/// <summary>A fake server for one test: a minimal Kestrel app over plain HTTP on a free loopback port, logging nothing.</summary>
internal static class LoopbackApp
{
    /// <summary>Builds the app, lets the test map it, starts it, and gives where it listens (<c>127.0.0.1:PORT</c>).</summary>
    public static async Task<(WebApplication App, string Host)> StartAsync(Action<WebApplication> map)
    {
        ArgumentNullException.ThrowIfNull(map);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        map(app);
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return (app, new Uri(address).Authority);
    }
}
