using System.Text.Json.Nodes;
using k8s;
using Microsoft.Extensions.DependencyInjection;

namespace PolicyWebhook.Host.Tests.Cluster;

/// <summary>The whole webhook with policies from a (fake) API server: namespace labels drive namespace selectors.</summary>
public sealed class ClusterModeTests : IAsyncLifetime
{
    private readonly FakeApiServer _server = new();

    public async ValueTask InitializeAsync()
    {
        await _server.StartAsync();
        _server.Put(FakeApiServer.Namespaces, JsonNode.Parse("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop","labels":{"env":"prod"}}}""")!.AsObject());
        _server.Put(FakeApiServer.Namespaces, JsonNode.Parse("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"lab","labels":{"env":"dev"}}}""")!.AsObject());
        _server.Put(FakeApiServer.ClusterPolicies, JsonNode.Parse("""
            {"apiVersion":"policywebhook.io/v1alpha1","kind":"ClusterPolicy","metadata":{"name":"prod-tags"},
             "spec":{"rules":{"imageTags":{}},"match":{"namespaceSelector":{"matchLabels":{"env":"prod"}}}}}
            """)!.AsObject());
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Validate_ClusterPolicyWithNamespaceSelector_AppliesWhereTheLabelsMatch()
    {
        using var factory = new WebhookFactory(new Dictionary<string, string?> { ["Policies:Source"] = "Cluster" })
        {
            ReplaceServices = s => s.AddSingleton<IKubernetes>(new Kubernetes(new KubernetesClientConfiguration { Host = _server.Address.ToString() })),
        };
        var client = factory.CreateClient();
        await Eventually.UntilAsync(async () => (await client.GetAsync(new Uri("/readyz", UriKind.Relative), TestContext.Current.CancellationToken)).StatusCode == System.Net.HttpStatusCode.OK, "never ready");

        var inShop = await WebhookFactory.ReviewAsync(client, "/validate", Reviews.Of(Reviews.Pod(image: "nginx"), @namespace: "shop"));
        var lab = Reviews.Pod(image: "nginx");
        lab["metadata"]!["namespace"] = "lab";
        var inLab = await WebhookFactory.ReviewAsync(client, "/validate", Reviews.Of(lab, @namespace: "lab"));

        Assert.False(inShop["allowed"]!.GetValue<bool>());
        Assert.Contains("ClusterPolicy \"prod-tags\"", inShop["status"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(inLab["allowed"]!.GetValue<bool>());
    }
}
