using Microsoft.Extensions.Diagnostics.HealthChecks;
using PolicyWebhook.Host.Hosting;

namespace PolicyWebhook.Host.Health;

/// <summary>
/// The background loops in <c>/readyz</c>: Degraded, never Unhealthy, while one fails or has stopped. The replica
/// stays ready, since it keeps admitting with the last good state, and pulling every replica out of the Service
/// because the API server is away would refuse every pod in the cluster; the answer and the
/// <c>policywebhook_loop_up</c> metric say which loop is stuck and since when.
/// </summary>
public sealed class BackgroundLoopsCheck(BackgroundLoops loops) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var all = loops.All;
        var data = all.ToDictionary(
            l => l.Name,
            l => (object)new Dictionary<string, object?>
            {
                ["up"] = l.Up,
                ["running"] = l.Running,
                ["failingSince"] = l.FailingSince?.ToString("O"),
                ["failures"] = l.Failures,
                ["lastError"] = l.LastError,
            });
        var down = all.Where(l => !l.Up).ToList();
        var result = down.Count == 0
            ? HealthCheckResult.Healthy($"{all.Count} background loops working", data)
            : HealthCheckResult.Degraded(
                "not working: " + string.Join("; ", down.Select(l => l.FailingSince is { } since
                    ? $"{l.Name} (failing since {since:O}, {l.Failures} attempts, {l.LastError})"
                    : $"{l.Name} (stopped)")),
                data: data);
        return Task.FromResult(result);
    }
}
