using PolicyWebhook.Host.Admission;
using PolicyWebhook.Host.Health;
using PolicyWebhook.Host.Policies;
using PolicyWebhook.Host.Server;
using PolicyWebhook.Host.Telemetry;
using PolicyWebhook.Host.Tls;

namespace PolicyWebhook.Host;

/// <summary>The service's composition: what <c>Program.cs</c> calls, and what tests and the load host reuse.</summary>
public static class WebhookHost
{
    /// <summary>Options, policy source, TLS, admission pipeline, health, telemetry and Kestrel.</summary>
    public static WebApplicationBuilder AddWebhookServices(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<ServerOptions>().BindConfiguration(ServerOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<AdmissionOptions>().BindConfiguration(AdmissionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<TlsOptions>().BindConfiguration(TlsOptions.Section)
            .Validate(o => o.ReloadInterval > TimeSpan.Zero, "Tls:ReloadInterval must be positive").ValidateOnStart();
        services.AddOptions<PolicySourceOptions>().BindConfiguration(PolicySourceOptions.Section)
            .Validate(o => o.PollInterval > TimeSpan.Zero, "Policies:PollInterval must be positive").ValidateOnStart();
        services.AddSingleton(TimeProvider.System);

        services.AddSingleton<FilePolicySource>();
        services.AddSingleton<IPolicySource>(sp => sp.GetRequiredService<FilePolicySource>());
        services.AddHostedService(sp => sp.GetRequiredService<FilePolicySource>());
        services.AddSingleton<CertificateReloader>();
        services.AddHostedService(sp => sp.GetRequiredService<CertificateReloader>());

        services.AddSingleton<ValidatingHandler>();
        services.AddSingleton<MutatingHandler>();
        services.AddSingleton<PolicyValidationHandler>();
        services.AddSingleton<AdmissionPipeline>();
        services.AddWebhookHealth();
        builder.AddWebhookTelemetry();
        builder.ConfigureWebhookKestrel();
        return builder;
    }

    /// <summary>The admission endpoints, and health and metrics (on the management port when there is one).</summary>
    public static WebApplication MapWebhookEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var managementPort = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ServerOptions>>().Value.ManagementPort;
        if (managementPort != 0)
        {
            app.UseManagementPortSplit(managementPort);
        }

        app.MapAdmissionEndpoints();
        app.MapWebhookHealth();
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }
}
