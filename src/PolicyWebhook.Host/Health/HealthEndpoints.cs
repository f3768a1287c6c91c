using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace PolicyWebhook.Host.Health;

/// <summary><c>GET /healthz</c> answers while the process serves; <c>GET /readyz</c> once policies have loaded, with their state.</summary>
public static class HealthEndpoints
{
    private const string ReadyTag = "ready";

    public static IServiceCollection AddWebhookHealth(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<PolicyReadinessCheck>("policies", tags: [ReadyTag])
            .AddCheck<BackgroundLoopsCheck>("loops", tags: [ReadyTag]);
        return services;
    }

    public static IEndpointConventionBuilder MapWebhookHealth(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup(string.Empty);
        group.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        group.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = WriteAsync,
        });
        return group;
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new Dictionary<string, object?>
        {
            ["status"] = report.Status.ToString(),
            ["checks"] = report.Entries.ToDictionary(
                e => e.Key,
                e => (object?)new Dictionary<string, object?> { ["status"] = e.Value.Status.ToString(), ["description"] = e.Value.Description, ["data"] = e.Value.Data }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, HealthJson.Options));
    }

    private static class HealthJson
    {
        public static readonly JsonSerializerOptions Options = new() { WriteIndented = true };
    }
}
