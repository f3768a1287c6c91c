using System.Text.Json.Nodes;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PolicyWebhook.Engine;
using PolicyWebhook.Host.Cluster;
using PolicyWebhook.Host.Policies;

namespace PolicyWebhook.Host.Tests.Cluster;

/// <summary>The cluster source watches NetworkPolicies when asked, and the snapshot says which namespaces a rule leaves unisolated.</summary>
public sealed class NetworkPolicyWatchTests : IAsyncLifetime
{
    private static readonly HashSet<string> Never = new(["policy-webhook"], StringComparer.Ordinal);
    private readonly FakeApiServer _server = new();
    private ClusterPolicySource _source = null!;
    private Kubernetes _client = null!;

    public async ValueTask InitializeAsync()
    {
        await _server.StartAsync();
        _server.Put(FakeApiServer.Namespaces, Json("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}}"""));
        _server.Put(FakeApiServer.Namespaces, Json("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"policy-webhook"}}"""));
        _server.Put(FakeApiServer.ClusterPolicies, Json("""{"apiVersion":"policywebhook.io/v1alpha1","kind":"ClusterPolicy","metadata":{"name":"isolate"},"spec":{"namespaceIsolation":{"mode":"Warn","egress":true}}}"""));
        _client = new Kubernetes(new KubernetesClientConfiguration { Host = _server.Address.ToString() });
        _source = new ClusterPolicySource(_client, NullLogger<ClusterPolicySource>.Instance, TimeProvider.System,
            Options.Create(new ClusterSourceOptions { MaxBackoff = TimeSpan.FromMilliseconds(200), NetworkPolicies = true }));
        await _source.StartAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _source.StopAsync(CancellationToken.None);
        _source.Dispose();
        _client.Dispose();
        await _server.DisposeAsync();
    }

    internal static JsonObject Json(string text) => JsonNode.Parse(text)!.AsObject();

    private async Task<PolicySnapshot> UntilAsync(Func<PolicySnapshot, bool> condition)
    {
        for (var i = 0; i < 200; i++)
        {
            if (_source.Current is { } snapshot && condition(snapshot))
            {
                return snapshot;
            }

            await Task.Delay(25, TestContext.Current.CancellationToken);
        }

        throw new TimeoutException("the snapshot never got there");
    }

    [Fact]
    public async Task Snapshot_NoNetworkPolicy_NamesTheRuleForTheNamespace()
    {
        var snapshot = await UntilAsync(s => s.IsolationRules.Count == 1);

        Assert.True(snapshot.KnowsNetworks);
        Assert.Equal("isolate", snapshot.UnisolatedBy("shop", Never)?.PolicyName);
        Assert.Null(snapshot.UnisolatedBy("policy-webhook", Never));
        Assert.Null(snapshot.UnisolatedBy("shop", Never, PolicyMode.Enforce));
    }

    [Fact]
    public async Task Watch_NetworkPolicyAdded_IsolatesTheNamespace()
    {
        await UntilAsync(s => s.IsolationRules.Count == 1);

        _server.Put(FakeApiServer.NetworkPolicies, Json("""{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"deny","namespace":"shop"},"spec":{"podSelector":{},"policyTypes":["Ingress"]}}"""));
        var ingressOnly = await UntilAsync(s => s.NetworkOf("shop").Ingress);
        Assert.NotNull(ingressOnly.UnisolatedBy("shop", Never)); // The rule asks for egress too.

        _server.Put(FakeApiServer.NetworkPolicies, Json("""{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"deny","namespace":"shop"},"spec":{"podSelector":{},"policyTypes":["Ingress","Egress"]}}"""));
        var both = await UntilAsync(s => s.NetworkOf("shop").Egress);
        Assert.Null(both.UnisolatedBy("shop", Never));
    }

    [Fact]
    public async Task Snapshot_WithoutTheWatch_JudgesNothing()
    {
        using var source = new ClusterPolicySource(_client, NullLogger<ClusterPolicySource>.Instance, TimeProvider.System,
            Options.Create(new ClusterSourceOptions { MaxBackoff = TimeSpan.FromMilliseconds(200) }));
        await source.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            await Eventually.UntilAsync(() => source.Current is not null, "the source never synced");

            Assert.NotNull(source.Current);
            Assert.False(source.Current.KnowsNetworks);
            Assert.Null(source.Current.UnisolatedBy("shop", Never));
        }
        finally
        {
            await source.StopAsync(CancellationToken.None);
        }
    }
}
