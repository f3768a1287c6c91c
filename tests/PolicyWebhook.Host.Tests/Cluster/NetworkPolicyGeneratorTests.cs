using System.Text.Json.Nodes;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PolicyWebhook.Host.Admission;
using PolicyWebhook.Host.Cluster;
using PolicyWebhook.Host.Hosting;

namespace PolicyWebhook.Host.Tests.Cluster;

/// <summary>The default-deny generator against a fake API server: what it creates, where, and what it never touches.</summary>
public sealed class NetworkPolicyGeneratorTests : IAsyncLifetime
{
    private const string Generated = "policywebhook-default-deny";
    private readonly FakeApiServer _server = new();
    private readonly List<IDisposable> _disposables = [];
    private ClusterPolicySource _source = null!;
    private PolicyStatusWriter _writer = null!;
    private NetworkPolicyGenerator _generator = null!;
    private BackgroundLoops _loops = null!;

    private static JsonObject Json(string text) => JsonNode.Parse(text)!.AsObject();

    private static JsonObject Namespace(string name) => Json($$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{name}}}"}}""");

    private static JsonObject Isolation(string spec, string name = "isolate") =>
        Json($$$$"""{"apiVersion":"policywebhook.io/v1alpha1","kind":"ClusterPolicy","metadata":{"name":"{{{{name}}}}"},"spec":{{{{spec}}}}}""");

    private static JsonObject UserPolicy(string ns, string name) =>
        Json($$$$"""{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"{{{{name}}}}","namespace":"{{{{ns}}}}"},"spec":{"podSelector":{}}}""");

    public async ValueTask InitializeAsync()
    {
        await _server.StartAsync();
        foreach (var ns in new[] { "shop", "blog", "kube-system", "policy-webhook" })
        {
            _server.Put(FakeApiServer.Namespaces, Namespace(ns));
        }

        _server.Put(FakeApiServer.ClusterPolicies, Isolation("""{"namespaceIsolation":{"mode":"Enforce","egress":true}}"""));
        _server.Put(FakeApiServer.NetworkPolicies, UserPolicy("blog", "user-deny-all"));
    }

    public async ValueTask DisposeAsync()
    {
        await _generator.StopAsync(CancellationToken.None);
        await _source.StopAsync(CancellationToken.None);
        await _writer.StopAsync(CancellationToken.None);
        _disposables.ForEach(d => d.Dispose());
        await _server.DisposeAsync();
    }

    private async Task StartAsync()
    {
        var client = new Kubernetes(new KubernetesClientConfiguration { Host = _server.Address.ToString() });
        var loops = _loops = new BackgroundLoops(TimeProvider.System, NullLogger<BackgroundLoops>.Instance);
        _source = new ClusterPolicySource(client, NullLogger<ClusterPolicySource>.Instance, TimeProvider.System,
            Options.Create(new ClusterSourceOptions { MaxBackoff = TimeSpan.FromMilliseconds(200), NetworkPolicies = true }), loops);
        var admission = Options.Create(new AdmissionOptions { OwnNamespace = "policy-webhook" });
        var provider = new ServiceCollection().AddSingleton<IKubernetes>(client).AddSingleton(loops).AddSingleton(admission).BuildServiceProvider();
        _writer = new PolicyStatusWriter(_source, provider,
            Options.Create(new StatusWriterOptions { Identity = "replica-a", RetryPeriod = TimeSpan.FromMilliseconds(50), RenewDeadline = TimeSpan.FromSeconds(1), LeaseDuration = TimeSpan.FromSeconds(2), MaxBackoff = TimeSpan.FromMilliseconds(200) }),
            NullLogger<PolicyStatusWriter>.Instance);
        var withWriter = new ServiceCollection().AddSingleton<IKubernetes>(client).AddSingleton(loops).AddSingleton(_writer).AddSingleton(admission).BuildServiceProvider();
        _generator = new NetworkPolicyGenerator(_source, withWriter,
            Options.Create(new NetworkIsolationOptions
            {
                Generate = true,
                Debounce = TimeSpan.FromMilliseconds(20),
                RetryPeriod = TimeSpan.FromMilliseconds(50),
                MaxBackoff = TimeSpan.FromMilliseconds(200),
            }),
            NullLogger<NetworkPolicyGenerator>.Instance);
        _disposables.AddRange([client, _source, _writer, _generator, provider, withWriter]);
        var token = TestContext.Current.CancellationToken;
        await _writer.StartAsync(token);
        await _source.StartAsync(token);
        await _generator.StartAsync(token);
    }

    private JsonObject? Stored(string ns, string name = Generated) => _server.Items(FakeApiServer.NetworkPolicies).GetValueOrDefault($"{ns}/{name}");

    [Fact]
    public async Task Generate_MatchedNamespace_GetsADefaultDenyWithDnsLabelledAsOurs()
    {
        await StartAsync();

        await Eventually.UntilAsync(() => Stored("shop") is not null, "no policy was made in shop");

        var made = Stored("shop")!;
        Assert.Equal("policy-webhook", (string?)made["metadata"]!["labels"]!["app.kubernetes.io/managed-by"]);
        Assert.Equal("isolate", (string?)made["metadata"]!["labels"]!["policywebhook.io/policy"]);
        Assert.Contains("isolate", (string?)made["metadata"]!["annotations"]!["policywebhook.io/description"], StringComparison.Ordinal);
        Assert.Equal(["Ingress", "Egress"], made["spec"]!["policyTypes"]!.AsArray().Select(t => (string)t!));
        Assert.Empty(made["spec"]!["podSelector"]!.AsObject());
        var dns = made["spec"]!["egress"]![0]!;
        Assert.Equal("kube-dns", (string?)dns["to"]![0]!["podSelector"]!["matchLabels"]!["k8s-app"]);
        Assert.Equal(["UDP:53", "TCP:53"], dns["ports"]!.AsArray().Select(p => $"{p!["protocol"]}:{p["port"]}"));
    }

    [Fact]
    public async Task Generate_NewNamespace_GetsItsPolicy_AndExemptNamespacesNever()
    {
        await StartAsync();
        await Eventually.UntilAsync(() => Stored("shop") is not null, "no policy was made in shop");

        _server.Put(FakeApiServer.Namespaces, Namespace("fresh"));

        await Eventually.UntilAsync(() => Stored("fresh") is not null, "no policy was made in the new namespace");
        Assert.Null(Stored("kube-system"));
        Assert.Null(Stored("policy-webhook"));
        Assert.DoesNotContain(_server.NetworkPolicyWrites, w => w.Contains("kube-system", StringComparison.Ordinal) || w.Contains("policy-webhook/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Generate_UserPolicyThatIsolates_IsLeftAloneAndNothingIsMade()
    {
        _server.Put(FakeApiServer.NetworkPolicies, Json("""
            {"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"user-deny-all","namespace":"blog"},"spec":{"podSelector":{},"policyTypes":["Ingress","Egress"]}}
            """));
        // A user's policy under our name but without our label is not ours either.
        _server.Put(FakeApiServer.NetworkPolicies, UserPolicy("shop", Generated));
        await StartAsync();
        _server.Put(FakeApiServer.Namespaces, Namespace("marker"));

        await Eventually.UntilAsync(() => Stored("marker") is not null, "no policy was made in the marker namespace");

        Assert.Null(Stored("blog", Generated));
        Assert.NotNull(Stored("blog", "user-deny-all"));
        Assert.Null(Stored("shop")!["metadata"]!["labels"]?["app.kubernetes.io/managed-by"]);
        Assert.DoesNotContain(_server.NetworkPolicyWrites, w => w.Contains("blog/", StringComparison.Ordinal) || w.StartsWith("DELETE", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Generate_OurPolicyDeleted_IsMadeAgain()
    {
        await StartAsync();
        await Eventually.UntilAsync(() => Stored("shop") is not null, "no policy was made in shop");

        _server.Delete(FakeApiServer.NetworkPolicies, (JsonObject)Stored("shop")!.DeepClone());

        await Eventually.UntilAsync(() => _server.NetworkPolicyWrites.Count(w => w == "POST shop/" + Generated) >= 2 && Stored("shop") is not null, "the deleted policy was not made again");
    }

    [Fact]
    public async Task Generate_RuleRemoved_DeletesOursOnly_UnlessKept()
    {
        _server.Put(FakeApiServer.Namespaces, Namespace("keepme"));
        _server.Put(FakeApiServer.ClusterPolicies, Isolation("""{"namespaceIsolation":{"mode":"Enforce","egress":true,"keep":true},"match":{"namespaces":["keepme"]}}""", "a-kept"));
        await StartAsync();
        await Eventually.UntilAsync(() => Stored("shop") is not null && Stored("keepme") is not null, "no policies were made");
        Assert.Equal("a-kept", (string?)Stored("keepme")!["metadata"]!["labels"]!["policywebhook.io/policy"]);

        _server.Delete(FakeApiServer.ClusterPolicies, Isolation("{}"));
        _server.Delete(FakeApiServer.ClusterPolicies, Isolation("{}", "a-kept"));

        await Eventually.UntilAsync(() => Stored("shop") is null, "our policy stayed after the rule went");
        Assert.NotNull(Stored("keepme"));
        Assert.NotNull(Stored("blog", "user-deny-all"));
        Assert.Contains("DELETE shop/" + Generated, _server.NetworkPolicyWrites);
        Assert.DoesNotContain("DELETE keepme/" + Generated, _server.NetworkPolicyWrites);
    }

    [Fact]
    public async Task Generate_RuleMadeInvalid_KeepsWhatItMadeUntilFixedOrDeleted()
    {
        await StartAsync();
        await Eventually.UntilAsync(() => Stored("shop") is not null, "no policy was made in shop");

        _server.Put(FakeApiServer.ClusterPolicies, Isolation("""{"namespaceIsolation":{"mode":"Enforced"}}"""));
        _server.Put(FakeApiServer.Namespaces, Namespace("marker"));
        await Eventually.UntilAsync(() => _source.Problems.Count > 0 && _source.Current!.Namespaces.Contains("marker"), "the broken policy was not seen");
        await Task.Delay(300, TestContext.Current.CancellationToken);

        Assert.NotNull(Stored("shop"));
        Assert.DoesNotContain("DELETE shop/" + Generated, _server.NetworkPolicyWrites);

        _server.Delete(FakeApiServer.ClusterPolicies, Isolation("{}"));
        await Eventually.UntilAsync(() => Stored("shop") is null, "our policy stayed after the broken rule was deleted");
    }

    [Fact]
    public async Task Generate_AnotherReplicaLeads_NothingIsMadeUntilThisOneLeads()
    {
        var renewed = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", System.Globalization.CultureInfo.InvariantCulture);
        _server.Leases["policy-webhook/policy-webhook-status"] = Json($$$"""
            {"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"policy-webhook-status","namespace":"policy-webhook","resourceVersion":"1"},
             "spec":{"holderIdentity":"replica-b","leaseDurationSeconds":600,"acquireTime":"{{{renewed}}}","renewTime":"{{{renewed}}}"}}
            """);
        await StartAsync();

        await Task.Delay(1000, TestContext.Current.CancellationToken);
        Assert.Empty(_server.NetworkPolicyWrites);
        Assert.False(_writer.Leading);

        _server.Leases.TryRemove("policy-webhook/policy-webhook-status", out _);

        await Eventually.UntilAsync(() => Stored("shop") is not null, "the new leader made nothing");
    }

    [Fact]
    public async Task Generate_NamespaceBeingDeleted_IsNoFailure()
    {
        _server.TerminatingNamespaces["leaving"] = true;
        _server.Put(FakeApiServer.Namespaces, Namespace("leaving"));
        await StartAsync();

        await Eventually.UntilAsync(() => Stored("shop") is not null && _server.NetworkPolicyWrites.Contains("POST leaving/" + Generated), "nothing was tried");
        await Task.Delay(300, TestContext.Current.CancellationToken);

        var health = _loops.All.Single(l => l.Name == "network isolation");
        Assert.Equal(0, health.Failures);
        Assert.True(health.Up);
    }

    [Fact]
    public async Task Generate_CreateRefused_FailsTheLoopAndRetriesWithoutStoppingTheOthers()
    {
        _server.TerminatingNamespaces["refused"] = false; // Refused as RBAC would, not because the namespace goes.
        _server.Put(FakeApiServer.Namespaces, Namespace("refused"));
        await StartAsync();

        await Eventually.UntilAsync(() => _server.NetworkPolicyWrites.Count(w => w == "POST refused/" + Generated) >= 2, "the refused create was not tried again");

        Assert.NotNull(Stored("shop"));
        Assert.True(_loops.All.Single(l => l.Name == "network isolation").Failures > 0);
    }

    [Fact]
    public async Task Generate_ApiServerOutage_IsSurvived()
    {
        await StartAsync();
        await Eventually.UntilAsync(() => Stored("shop") is not null, "no policy was made in shop");
        var port = _server.Address.Port;

        await _server.StopAsync();
        await Task.Delay(500, TestContext.Current.CancellationToken);
        await _server.StartAsync(port);
        // The API server came back with what it had (its store is this object's), and a new namespace meanwhile.
        _server.Put(FakeApiServer.Namespaces, Namespace("after-outage"));

        await Eventually.UntilAsync(() => Stored("after-outage") is not null, "nothing was made after the outage");
        Assert.True(_generator.ExecuteTask is { IsCompleted: false });
    }
}
