using PolicyWebhook.Host;

return StartupFailure.Guard(() =>
{
    var args2 = DevMode.Apply(args, out var devSettings);
    var builder = WebApplication.CreateBuilder(WebhookHost.Options(args2));
    builder.UseDevSettings(devSettings, args2);
    builder.AddWebhookServices();

    var app = builder.Build();
    app.Preflight();
    app.MapWebhookEndpoints();
    app.Run();
});

/// <summary>The webhook server's entry point; public so tests can host it.</summary>
public partial class Program;
