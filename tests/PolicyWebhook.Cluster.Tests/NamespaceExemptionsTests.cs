using PolicyWebhook.Cluster;

namespace PolicyWebhook.Cluster.Tests;

public sealed class NamespaceExemptionsTests
{
    [Fact]
    public void Effective_NothingConfigured_IsKubeSystemAndTheWebhooksOwn()
    {
        Assert.Equal(["kube-system", "policy-webhook"], NamespaceExemptions.Effective(null, "policy-webhook").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Effective_Configured_ReplacesTheDefaultAndKeepsTheOwnNamespace()
    {
        Assert.Equal(["cni", "policy-webhook"], NamespaceExemptions.Effective(["cni", " ", "cni"], "policy-webhook").Order(StringComparer.Ordinal));
    }
}
