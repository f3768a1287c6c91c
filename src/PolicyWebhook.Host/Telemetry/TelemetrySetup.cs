using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace PolicyWebhook.Host.Telemetry;

/// <summary>
/// OpenTelemetry in one place: the webhook's metrics for Prometheus at <c>GET /metrics</c>, and traces (and
/// metrics) over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
/// </summary>
public static class TelemetrySetup
{
    public static WebApplicationBuilder AddWebhookTelemetry(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var otlp = !string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        builder.Services.AddSingleton<AdmissionMetrics>();
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(builder.Configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : "policy-webhook"))
            .WithMetrics(metrics =>
            {
                // Made with the provider, at start, not at the first admission request: the gauges (policies loaded,
                // certificate expiry) must be there for a replica that has not answered anything yet.
                metrics.AddMeter(AdmissionMetrics.MeterName, PolicyWebhook.Provenance.ProvenanceMetrics.MeterName)
                    .AddInstrumentation(sp => sp.GetRequiredService<AdmissionMetrics>())
                    .AddInstrumentation(sp => sp.GetRequiredService<PolicyWebhook.Provenance.ProvenanceMetrics>())
                    .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            })
            .WithTracing(tracing =>
            {
                // Without an exporter nobody reads the spans: leave the source unlistened, so no span is even created.
                if (otlp)
                {
                    tracing.AddSource(AdmissionTracing.SourceName)
                        .AddAspNetCoreInstrumentation(o => o.Filter = http => http.Request.Path.StartsWithSegments("/validate") || http.Request.Path.StartsWithSegments("/mutate"))
                        .AddOtlpExporter();
                }
            });
        return builder;
    }
}
