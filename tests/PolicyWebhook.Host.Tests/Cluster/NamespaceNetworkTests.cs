using k8s;
using k8s.Models;
using PolicyWebhook.Cluster;
using PolicyWebhook.Host.Policies;

namespace PolicyWebhook.Host.Tests.Cluster;

/// <summary>Which NetworkPolicies isolate a namespace: those selecting every pod, by their policy types as the API server defaults them.</summary>
public sealed class NamespaceNetworkTests
{
    private static V1NetworkPolicy Policy(string ns, string spec, string name = "p", string labels = "{}") =>
        KubernetesJson.Deserialize<V1NetworkPolicy>(
            $$"""{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"{{name}}","namespace":"{{ns}}","labels":{{labels}}},"spec":{{spec}}}""");

    [Theory]
    [InlineData("""{"podSelector":{}}""", true, false)]
    [InlineData("""{"podSelector":{},"egress":[{}]}""", true, true)]
    [InlineData("""{"podSelector":{},"policyTypes":["Egress"]}""", false, true)]
    [InlineData("""{"podSelector":{},"policyTypes":["Ingress","Egress"]}""", true, true)]
    [InlineData("""{"podSelector":{"matchLabels":{"app":"web"}},"policyTypes":["Ingress","Egress"]}""", false, false)]
    [InlineData("""{"podSelector":{"matchExpressions":[{"key":"app","operator":"Exists"}]}}""", false, false)]
    public void Of_OnePolicy_IsolatesAsItsSelectorAndTypesSay(string spec, bool ingress, bool egress)
    {
        var network = NamespaceNetwork.Of([Policy("shop", spec)])["shop"];

        Assert.Equal((ingress, egress), (network.Ingress, network.Egress));
        Assert.Null(network.Generated);
    }

    [Fact]
    public void Of_SeveralPolicies_AddUpPerNamespace()
    {
        var networks = NamespaceNetwork.Of([
            Policy("shop", """{"podSelector":{},"policyTypes":["Ingress"]}""", "a"),
            Policy("shop", """{"podSelector":{},"policyTypes":["Egress"]}""", "b"),
            Policy("blog", """{"podSelector":{"matchLabels":{"app":"web"}}}""", "c"),
        ]);

        Assert.Equal((true, true), (networks["shop"].Ingress, networks["shop"].Egress));
        Assert.Equal((false, false), (networks["blog"].Ingress, networks["blog"].Egress));
        Assert.False(networks.ContainsKey("other"));
    }

    [Fact]
    public void Of_GeneratedPolicy_IsKnownByNameAndLabelOnly()
    {
        var ours = Policy("shop", """{"podSelector":{}}""", NamespaceNetwork.GeneratedName, """{"app.kubernetes.io/managed-by":"policy-webhook"}""");
        var lookalike = Policy("blog", """{"podSelector":{}}""", NamespaceNetwork.GeneratedName);

        var networks = NamespaceNetwork.Of([ours, lookalike]);

        Assert.Same(ours, networks["shop"].Generated);
        Assert.Null(networks["blog"].Generated);
        Assert.True(networks["blog"].Ingress);
    }
}
