namespace PolicyWebhook.Host.Tests;

/// <summary>
/// Tests that read /metrics run alone: OpenTelemetry listens to meters by name across the process, so hosts of
/// other tests running at the same time would add their counts and gauges to these.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "metrics";
}
