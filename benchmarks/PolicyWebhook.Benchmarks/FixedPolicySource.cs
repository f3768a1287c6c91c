using PolicyWebhook.Host.Policies;

namespace PolicyWebhook.Benchmarks;

/// <summary>A policy source that always holds one snapshot, as the watcher's does between changes.</summary>
internal sealed class FixedPolicySource(PolicySnapshot snapshot) : IPolicySource
{
    public PolicySnapshot? Current => snapshot;

    public IReadOnlyList<string> Problems => [];

    public long FailedLoads => 0;
}
