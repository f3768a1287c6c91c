using System.Text.Json.Nodes;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PolicyWebhook.Host.Cluster;
using PolicyWebhook.Host.Policies;

namespace PolicyWebhook.Host.Tests.Cluster;

public sealed class ClusterPolicySourceTests : IAsyncLifetime
{
    private readonly FakeApiServer _server = new();
    private ClusterPolicySource _source = null!;
    private Kubernetes _client = null!;

    public async ValueTask InitializeAsync()
    {
        await _server.StartAsync();
        _server.Put(FakeApiServer.Namespaces, Namespace("shop", "prod"));
        _server.Put(FakeApiServer.ClusterPolicies, ClusterPolicy("tags", """{"rules":{"imageTags":{}}}"""));
        _client = new Kubernetes(new KubernetesClientConfiguration { Host = _server.Address.ToString() });
        _source = new ClusterPolicySource(_client, NullLogger<ClusterPolicySource>.Instance, TimeProvider.System,
            Options.Create(new ClusterSourceOptions { MaxBackoff = TimeSpan.FromMilliseconds(200) }));
        await _source.StartAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _source.StopAsync(CancellationToken.None);
        _source.Dispose();
        _client.Dispose();
        await _server.DisposeAsync();
    }

    private static JsonObject ClusterPolicy(string name, string spec) =>
        JsonNode.Parse("""{"apiVersion":"policywebhook.io/v1alpha1","kind":"ClusterPolicy","metadata":{"name":"NAME","generation":1},"spec":SPEC}"""
            .Replace("NAME", name, StringComparison.Ordinal).Replace("SPEC", spec, StringComparison.Ordinal))!.AsObject();

    private static JsonObject Namespace(string name, string env) =>
        JsonNode.Parse("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"NAME","labels":{"env":"ENV"}}}"""
            .Replace("NAME", name, StringComparison.Ordinal).Replace("ENV", env, StringComparison.Ordinal))!.AsObject();

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

        throw new TimeoutException($"the snapshot never got there; it has {string.Join(", ", _source.Current?.Policies.Select(p => p.Reference.Name) ?? [])}");
    }

    private static bool Has(PolicySnapshot snapshot, string name) => snapshot.Policies.Any(p => p.Reference.Name == name);

    [Fact]
    public async Task Sync_FirstList_PublishesPoliciesAndNamespaceLabels()
    {
        var snapshot = await UntilAsync(s => Has(s, "tags"));

        Assert.Equal("prod", snapshot.LabelsOf("shop")!["env"]);
        Assert.Null(snapshot.LabelsOf("unknown"));
        Assert.Empty(_source.Problems);
    }

    [Fact]
    public async Task Watch_AddedModifiedDeleted_AreFollowed()
    {
        await UntilAsync(s => Has(s, "tags"));
        var extra = ClusterPolicy("extra", """{"podSecurity":{"level":"baseline"}}""");

        _server.Put(FakeApiServer.ClusterPolicies, extra);
        await UntilAsync(s => Has(s, "extra"));
        _server.Delete(FakeApiServer.ClusterPolicies, extra);
        var after = await UntilAsync(s => !Has(s, "extra"));

        Assert.True(Has(after, "tags"));
        Assert.Equal(1, _server.Lists(FakeApiServer.ClusterPolicies));
    }

    [Fact]
    public async Task Watch_Dropped_ResumesWithoutListingAgain()
    {
        await UntilAsync(s => Has(s, "tags"));

        _server.DropWatch(FakeApiServer.ClusterPolicies);
        _server.Put(FakeApiServer.ClusterPolicies, ClusterPolicy("after-drop", """{"podSecurity":{"level":"baseline"}}"""));

        await UntilAsync(s => Has(s, "after-drop"));
        Assert.Equal(1, _server.Lists(FakeApiServer.ClusterPolicies));
        // The second watch starts from the version of the last object the first one delivered.
        var versions = _server.WatchVersions(FakeApiServer.ClusterPolicies);
        Assert.True(versions.Count >= 2);
        Assert.Equal(_server.VersionOf(FakeApiServer.ClusterPolicies, "/tags"), versions[1]);
    }

    [Fact]
    public async Task Watch_Gone_ListsAgainAndSeesWhatChangedMeanwhile()
    {
        await UntilAsync(s => Has(s, "tags"));

        // A change the watch never reported, then a watch that is told its version is too old.
        _server.PutSilently(FakeApiServer.ClusterPolicies, ClusterPolicy("missed", """{"podSecurity":{"level":"baseline"}}"""));
        _server.ExpireNextWatch(FakeApiServer.ClusterPolicies);
        _server.DropWatch(FakeApiServer.ClusterPolicies);

        await UntilAsync(s => Has(s, "missed"));
        Assert.Equal(2, _server.Lists(FakeApiServer.ClusterPolicies));
    }

    [Fact]
    public async Task Watch_MalformedEvent_IsSkippedAndTheNextOneApplied()
    {
        await UntilAsync(s => Has(s, "tags"));

        _server.SendRaw(FakeApiServer.ClusterPolicies, "{\"type\":\"ADDED\",\"object\":{\"metadata\":");
        _server.SendRaw(FakeApiServer.ClusterPolicies, "this is not json");
        _server.Put(FakeApiServer.ClusterPolicies, ClusterPolicy("next", """{"podSecurity":{"level":"baseline"}}"""));

        var snapshot = await UntilAsync(s => Has(s, "next"));
        Assert.True(Has(snapshot, "tags"));
    }

    [Fact]
    public async Task Watch_InvalidPolicy_IsLeftOutWholeAndReported()
    {
        await UntilAsync(s => Has(s, "tags"));

        _server.Put(FakeApiServer.ClusterPolicies, ClusterPolicy("broken", """{"mode":"Enforced","podSecurity":{"level":"baseline"}}"""));
        _server.Put(FakeApiServer.ClusterPolicies, ClusterPolicy("marker", """{"podSecurity":{"level":"baseline"}}"""));

        var snapshot = await UntilAsync(s => Has(s, "marker"));
        Assert.False(Has(snapshot, "broken"));
        Assert.Equal(["ClusterPolicy \"broken\": spec.mode: \"Enforced\" is not a mode (use Enforce, Warn or Audit)"], _source.Problems);
    }

    [Fact]
    public async Task ApiServerGone_TheLastSnapshotKeepsServing()
    {
        var before = await UntilAsync(s => Has(s, "tags"));

        await _server.StopAsync();
        // Long enough for several failed lists (the backoff is capped at 200 ms here).
        await Task.Delay(1000, TestContext.Current.CancellationToken);

        Assert.Equal(before.Policies.Select(p => p.Reference), _source.Current!.Policies.Select(p => p.Reference));
        Assert.Equal("prod", _source.Current.LabelsOf("shop")!["env"]);
    }

    [Fact]
    public async Task ApiServerBack_AfterAnOutage_ChangesArriveAgain()
    {
        await UntilAsync(s => Has(s, "tags"));
        var port = _server.Address.Port;

        await _server.StopAsync();
        await Task.Delay(300, TestContext.Current.CancellationToken);
        await _server.StartAsync(port);
        _server.Put(FakeApiServer.ClusterPolicies, ClusterPolicy("tags", """{"rules":{"imageTags":{}}}"""));
        _server.Put(FakeApiServer.ClusterPolicies, ClusterPolicy("after-outage", """{"podSecurity":{"level":"baseline"}}"""));

        await UntilAsync(s => Has(s, "after-outage"));
    }

    [Fact]
    public async Task Watch_ClosedAtOnceEveryTime_IsNotATightLoop()
    {
        await UntilAsync(s => Has(s, "tags"));
        _server.CloseWatchesAtOnce(FakeApiServer.Namespaces);
        _server.DropWatch(FakeApiServer.Namespaces);
        var before = _server.Watches(FakeApiServer.Namespaces);
        var watching = System.Diagnostics.Stopwatch.StartNew();

        // However slow a busy machine makes it, the loop watches again; then it is given a while to go wild.
        await Eventually.UntilAsync(() => _server.Watches(FakeApiServer.Namespaces) > before, "the watch was never opened again");
        await Task.Delay(1500, TestContext.Current.CancellationToken);
        var watches = _server.Watches(FakeApiServer.Namespaces) - before;
        var elapsed = watching.Elapsed;

        // Paced by the pause after a quiet watch, or the backoff (capped at 200 ms here), not thousands a second: at
        // most ten a second of what really elapsed, and a couple more for the start.
        Assert.InRange(watches, 1, 2 + (int)(elapsed / TimeSpan.FromMilliseconds(100)));
    }

    [Fact]
    public async Task Unreachable_FromTheStart_IsNeverReady()
    {
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = "http://127.0.0.1:9" });
        using var source = new ClusterPolicySource(client, NullLogger<ClusterPolicySource>.Instance, TimeProvider.System,
            Options.Create(new ClusterSourceOptions { MaxBackoff = TimeSpan.FromMilliseconds(100) }));

        await source.StartAsync(TestContext.Current.CancellationToken);
        await Task.Delay(600, TestContext.Current.CancellationToken);
        await source.StopAsync(CancellationToken.None);

        Assert.Null(source.Current);
        Assert.NotNull(source.ExecuteTask);
    }
}
