using System.Text.Json.Nodes;
using k8s;
using Microsoft.Extensions.DependencyInjection;

namespace PolicyWebhook.Host.Tests.Cluster;

/// <summary>Through <c>/validate</c>: a pod created in a namespace a Warn isolation rule matches, with no NetworkPolicy isolating it, is admitted with a warning.</summary>
public sealed class IsolationWarningTests : IAsyncLifetime
{
    private readonly FakeApiServer _server = new();
    private WebhookFactory _factory = null!;
    private HttpClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        await _server.StartAsync();
        foreach (var ns in new[] { "shop", "blog", "lab" })
        {
            _server.Put(FakeApiServer.Namespaces, NetworkPolicyWatchTests.Json($$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{ns}}}"}}"""));
        }

        _server.Put(FakeApiServer.ClusterPolicies, NetworkPolicyWatchTests.Json("""
            {"apiVersion":"policywebhook.io/v1alpha1","kind":"ClusterPolicy","metadata":{"name":"isolate"},
             "spec":{"mode":"Warn","namespaceIsolation":{},"exclude":{"namespaces":["lab"]}}}
            """));
        _server.Put(FakeApiServer.NetworkPolicies, NetworkPolicyWatchTests.Json("""
            {"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"deny-all","namespace":"blog"},"spec":{"podSelector":{}}}
            """));
        _factory = new WebhookFactory(new Dictionary<string, string?> { ["Policies:Source"] = "Cluster", ["Policies:Cluster:NetworkPolicies"] = "true" })
        {
            ReplaceServices = s => s.AddSingleton<IKubernetes>(new Kubernetes(new KubernetesClientConfiguration { Host = _server.Address.ToString() })),
        };
        _client = _factory.CreateClient();
        await Eventually.UntilAsync(async () => (await _client.GetAsync(new Uri("/readyz", UriKind.Relative), TestContext.Current.CancellationToken)).StatusCode == System.Net.HttpStatusCode.OK, "never ready");
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
        await _server.DisposeAsync();
    }

    private async Task<JsonNode> CreateAsync(string ns, string operation = "CREATE")
    {
        var pod = Reviews.CompliantPod();
        pod["metadata"]!["namespace"] = ns;
        return await WebhookFactory.ReviewAsync(_client, "/validate", Reviews.Of(pod, operation, @namespace: ns, oldObject: operation == "UPDATE" ? Reviews.Pod() : null));
    }

    private static List<string> Warnings(JsonNode response) => response["warnings"]?.AsArray().Select(w => (string)w!).ToList() ?? [];

    [Fact]
    public async Task Validate_PodInAnUnisolatedNamespace_IsAdmittedWithAWarningSayingWhatToAdd()
    {
        var response = await CreateAsync("shop");

        Assert.True(response["allowed"]!.GetValue<bool>());
        var warning = Assert.Single(Warnings(response));
        Assert.Equal("isolate: namespace \"shop\" is not isolated: add a NetworkPolicy with podSelector: {} for Ingress", warning);
        Assert.InRange(warning.Length, 1, 120);
        Assert.Equal(["Warning: " + warning], PolicyWebhook.Tests.Shared.ReadmeBlocks.Block(RepoPaths.Root, "isolation-warning"));
    }

    [Theory]
    [InlineData("blog")] // A NetworkPolicy selecting every pod isolates it.
    [InlineData("lab")] // Excluded by the policy.
    [InlineData("policy-webhook")] // Never: the webhook's own namespace (exempt).
    public async Task Validate_IsolatedExcludedOrExemptNamespace_HasNoWarning(string ns) =>
        Assert.Empty(Warnings(await CreateAsync(ns)));

    [Fact]
    public async Task Validate_NetworkPolicyAdded_TheWarningStops()
    {
        Assert.Single(Warnings(await CreateAsync("shop")));

        _server.Put(FakeApiServer.NetworkPolicies, NetworkPolicyWatchTests.Json("""
            {"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"deny-all","namespace":"shop"},"spec":{"podSelector":{},"policyTypes":["Ingress"]}}
            """));
        await Eventually.UntilAsync(async () => Warnings(await CreateAsync("shop")).Count == 0, "the NetworkPolicy never silenced the warning");
    }
}
