using k8s;
using Microsoft.Extensions.Options;
using PolicyWebhook.Host.Admission;
using PolicyWebhook.Host.Cluster;
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

        // Chosen when first resolved, from the bound settings: files, or the cluster (whose client is built only then).
        services.AddOptions<ClusterSourceOptions>().BindConfiguration(ClusterSourceOptions.Section);
        services.AddSingleton<IKubernetes>(_ => new Kubernetes(KubernetesClientConfiguration.IsInCluster()
            ? KubernetesClientConfiguration.InClusterConfig()
            : KubernetesClientConfiguration.BuildConfigFromConfigFile()));
        services.AddSingleton<FilePolicySource>();
        services.AddSingleton<ClusterPolicySource>();
        services.AddSingleton<IPolicySource>(sp => sp.GetRequiredService<IOptions<PolicySourceOptions>>().Value.UsesCluster()
            ? sp.GetRequiredService<ClusterPolicySource>()
            : sp.GetRequiredService<FilePolicySource>());
        services.AddHostedService<PolicySourceHost>();
        services.AddOptions<StatusWriterOptions>().BindConfiguration(StatusWriterOptions.Section);
        services.AddSingleton<PolicyStatusWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<PolicyStatusWriter>());
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
