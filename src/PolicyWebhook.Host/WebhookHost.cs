using k8s;
using Microsoft.Extensions.Options;
using PolicyWebhook.Cluster;
using PolicyWebhook.Host.Admission;
using PolicyWebhook.Host.Cluster;
using PolicyWebhook.Host.Health;
using PolicyWebhook.Host.Hosting;
using PolicyWebhook.Host.Images;
using PolicyWebhook.Host.Logging;
using PolicyWebhook.Host.Policies;
using PolicyWebhook.Host.Server;
using PolicyWebhook.Host.Telemetry;
using PolicyWebhook.Host.Tls;

namespace PolicyWebhook.Host;

/// <summary>The service's composition: what <c>Program.cs</c> calls, and what tests and the load host reuse.</summary>
public static class WebhookHost
{
    /// <summary>
    /// The builder's options: the content root is the server's own folder, never the working directory, so its
    /// <c>appsettings.json</c> (JSON logs, log levels) is read however and from wherever it is started.
    /// </summary>
    public static WebApplicationOptions Options(string[] args) => new()
    {
        Args = args,
        ContentRootPath = AppContext.BaseDirectory,
    };

    /// <summary>Options, policy source, TLS, admission pipeline, health, telemetry and Kestrel.</summary>
    public static WebApplicationBuilder AddWebhookServices(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<ServerOptions>().BindConfiguration(ServerOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<AdmissionOptions>().BindConfiguration(AdmissionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<TlsOptions>().BindConfiguration(TlsOptions.Section)
            .Validate(o => o.ReloadInterval > TimeSpan.Zero, "Tls:ReloadInterval must be positive")
            .Validate<IOptions<ServerOptions>>(
                (o, server) => string.IsNullOrEmpty(o.ClientCaFile) || server.Value.ManagementPort != 0,
                "Tls:ClientCaFile (mutual TLS) needs Server:ManagementPort: health and metrics on the admission port would need a client certificate too")
            .ValidateOnStart();
        services.AddOptions<PolicySourceOptions>().BindConfiguration(PolicySourceOptions.Section)
            .Validate(o => o.PollInterval > TimeSpan.Zero, "Policies:PollInterval must be positive").ValidateOnStart();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<BackgroundLoops>();

        // Chosen when first resolved, from the bound settings: files, or the cluster (whose client is built only then).
        services.AddOptions<ClusterSourceOptions>().BindConfiguration(ClusterSourceOptions.Section);
        // In the cluster, its service account; elsewhere KUBECONFIG or ~/.kube/config, as the command line finds it.
        services.AddSingleton<IKubernetes>(_ => new Kubernetes(ClusterConnection.Configuration()));
        services.AddSingleton<FilePolicySource>();
        services.AddSingleton<ClusterPolicySource>();
        services.AddSingleton<IPolicySource>(sp => sp.GetRequiredService<IOptions<PolicySourceOptions>>().Value.UsesCluster()
            ? sp.GetRequiredService<ClusterPolicySource>()
            : sp.GetRequiredService<FilePolicySource>());
        services.AddHostedService<PolicySourceHost>();
        services.AddOptions<StatusWriterOptions>().BindConfiguration(StatusWriterOptions.Section);
        services.AddSingleton<PolicyStatusWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<PolicyStatusWriter>());
        services.AddOptions<ReportOptions>().BindConfiguration(ReportOptions.Section)
            .Validate(o => o.MaxBytes is >= 16 * 1024 and <= 1024 * 1024, "Reports:MaxBytes must be between 16384 and 1048576")
            .Validate(o => o.Interval > TimeSpan.Zero, "Reports:Interval must be positive")
            .Validate(o => o.Format is "PolicyReport" or "OpenReports", "Reports:Format must be PolicyReport or OpenReports")
            .ValidateOnStart();
        services.AddSingleton<PolicyReporter>();
        services.AddHostedService(sp => sp.GetRequiredService<PolicyReporter>());
        services.AddOptions<NetworkIsolationOptions>().BindConfiguration(NetworkIsolationOptions.Section)
            .Validate(o => o.Interval > TimeSpan.Zero, "NetworkIsolation:Interval must be positive")
            .Validate<IOptions<ClusterSourceOptions>>((o, cluster) => !o.Generate || cluster.Value.NetworkPolicies,
                "NetworkIsolation:Generate needs Policies:Cluster:NetworkPolicies: the generator works from the NetworkPolicies the webhook watches")
            .ValidateOnStart();
        services.AddSingleton<NetworkPolicyGenerator>();
        services.AddHostedService(sp => sp.GetRequiredService<NetworkPolicyGenerator>());
        services.AddSingleton<CertificateReloader>();
        services.AddHostedService(sp => sp.GetRequiredService<CertificateReloader>());
        services.AddSingleton<ClientCertificateValidator>();
        services.AddHostedService(sp => sp.GetRequiredService<ClientCertificateValidator>());

        services.AddImageVerification();
        services.AddSingleton<ValidatingHandler>();
        services.AddSingleton<MutatingHandler>();
        services.AddSingleton<PolicyValidationHandler>();
        services.AddSingleton<AdmissionPipeline>();
        services.AddWebhookHealth();
        builder.AddWebhookLogging();
        builder.AddWebhookTelemetry();
        builder.ConfigureWebhookKestrel();
        return builder;
    }

    /// <summary>
    /// What can stop the server from starting, checked before it starts, so a failure is one clear line rather
    /// than the host's own report with a stack trace: settings, the cluster connection, the TLS files.
    /// </summary>
    public static WebApplication Preflight(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Services.GetService<IStartupValidator>()?.Validate();
        _ = app.Services.GetRequiredService<IPolicySource>();
        // Only Kestrel serves TLS; an in-memory test server has no certificate to read.
        if (app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().GetType().Namespace?.StartsWith("Microsoft.AspNetCore.Server.Kestrel", StringComparison.Ordinal) == true)
        {
            _ = app.Services.GetRequiredService<CertificateReloader>().Context;
            app.Services.GetRequiredService<ClientCertificateValidator>().LoadFirst();
        }

        return app;
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
