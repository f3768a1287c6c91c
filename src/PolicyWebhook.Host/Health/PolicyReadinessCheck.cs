using Microsoft.Extensions.Diagnostics.HealthChecks;
using PolicyWebhook.Host.Policies;

namespace PolicyWebhook.Host.Health;

/// <summary>
/// Ready once a policy set has loaded. A later broken policy makes it Degraded (still ready, still serving the
/// last good set) with the problems in the answer, so an operator sees them without a pod being pulled.
/// </summary>
public sealed class PolicyReadinessCheck(IPolicySource policies) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var current = policies.Current;
        var problems = policies.Problems;
        var data = new Dictionary<string, object>
        {
            ["policies"] = current?.Policies.Count ?? 0,
            ["origin"] = current?.Origin ?? "",
            ["loadedAt"] = current?.LoadedAt.ToString("O") ?? "",
            ["problems"] = problems,
        };
        var result = current is null
            ? HealthCheckResult.Unhealthy($"no policies loaded: {string.Join("; ", problems)}", data: data)
            : problems.Count > 0
                ? HealthCheckResult.Degraded($"serving the last good set; the newest policy files were rejected: {string.Join("; ", problems)}", data: data)
                : HealthCheckResult.Healthy($"{current.Policies.Count} policies from {current.Origin}", data);
        return Task.FromResult(result);
    }
}
