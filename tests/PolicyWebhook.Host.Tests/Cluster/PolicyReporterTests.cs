using System.Text.Json.Nodes;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PolicyWebhook.Host.Admission;
using PolicyWebhook.Host.Cluster;
using PolicyWebhook.Host.Hosting;

namespace PolicyWebhook.Host.Tests.Cluster;

/// <summary>The policy reports against a fake API server: what they say, when they are written, and when not.</summary>
public sealed class PolicyReporterTests : IAsyncLifetime
{
    private const string Deployments = "/apis/apps/v1/deployments";
    private const string ReplicaSets = "/apis/apps/v1/replicasets";
    private const string Pods = "/api/v1/pods";

    private readonly FakeApiServer _server = new();
    private readonly List<IDisposable> _disposables = [];
    private ClusterPolicySource _source = null!;
    private PolicyStatusWriter _writer = null!;
    private PolicyReporter _reporter = null!;

    private static JsonObject Json(string text) => JsonNode.Parse(text)!.AsObject();

    private static JsonObject Deployment(string name, string ns, string image) => Json($$$$$"""
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"{{{{{name}}}}}","namespace":"{{{{{ns}}}}}","uid":"uid-{{{{{name}}}}}"},
         "spec":{"template":{"spec":{"containers":[{"name":"app","image":"{{{{{image}}}}}"}]}}}}
        """);

    private static JsonObject Owned(string kind, string name, string ns, string image, string ownerKind, string owner) => Json($$$$$"""
        {"apiVersion":"v1","kind":"{{{{{kind}}}}}","metadata":{"name":"{{{{{name}}}}}","namespace":"{{{{{ns}}}}}","uid":"uid-{{{{{name}}}}}",
          "ownerReferences":[{"apiVersion":"apps/v1","kind":"{{{{{ownerKind}}}}}","name":"{{{{{owner}}}}}","uid":"uid-{{{{{owner}}}}}","controller":true}]},
         "spec":{"template":{"spec":{"containers":[{"name":"app","image":"{{{{{image}}}}}"}]}},"containers":[{"name":"app","image":"{{{{{image}}}}}"}]}}
        """);

    private static JsonObject Pod(string name, string ns, string image) => Json($$$$$"""
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"{{{{{name}}}}}","namespace":"{{{{{ns}}}}}","uid":"uid-{{{{{name}}}}}"},"spec":{"containers":[{"name":"app","image":"{{{{{image}}}}}"}]}}
        """);

    private static JsonObject Policy(string name, string spec) => Json($$$$$"""
        {"apiVersion":"policywebhook.io/v1alpha1","kind":"ClusterPolicy","metadata":{"name":"{{{{{name}}}}}","generation":1},"spec":{{{{{spec}}}}}}
        """);

    public async ValueTask InitializeAsync()
    {
        await _server.StartAsync();
        _server.Put(FakeApiServer.ClusterPolicies, Policy("tags", """{"rules":{"imageTags":{}}}"""));
        _server.Put(FakeApiServer.Namespaces, Json("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}}"""));
        _server.Put(Deployments, Deployment("web", "shop", "nginx"));
        _server.Put(Deployments, Deployment("api", "shop", "registry.example.com/api:1.0"));
        _server.Put(Deployments, Deployment("dns", "kube-system", "coredns"));
        _server.Put(ReplicaSets, Owned("ReplicaSet", "web-6d4cf", "shop", "nginx", "Deployment", "web"));
        foreach (var i in Enumerable.Range(0, 5))
        {
            _server.Put(Pods, Owned("Pod", $"web-6d4cf-{i}", "shop", "nginx", "ReplicaSet", "web-6d4cf"));
        }

        _server.Put(Pods, Pod("debug", "lab", "busybox"));
    }

    public async ValueTask DisposeAsync()
    {
        await _reporter.StopAsync(CancellationToken.None);
        await _source.StopAsync(CancellationToken.None);
        await _writer.StopAsync(CancellationToken.None);
        _disposables.ForEach(d => d.Dispose());
        await _server.DisposeAsync();
    }

    private async Task StartAsync(TimeSpan? interval = null, int maxBytes = 512 * 1024, bool networkPolicies = false, TimeProvider? time = null)
    {
        var client = new Kubernetes(new KubernetesClientConfiguration { Host = _server.Address.ToString() });
        var loops = new BackgroundLoops(TimeProvider.System, NullLogger<BackgroundLoops>.Instance);
        _source = new ClusterPolicySource(client, NullLogger<ClusterPolicySource>.Instance, TimeProvider.System,
            Options.Create(new ClusterSourceOptions { MaxBackoff = TimeSpan.FromMilliseconds(200), NetworkPolicies = networkPolicies }), loops);
        var services = new ServiceCollection()
            .AddSingleton<IKubernetes>(client)
            .AddSingleton(loops)
            .AddSingleton(Options.Create(new AdmissionOptions { OwnNamespace = "policy-webhook" }));
        var provider = services.BuildServiceProvider();
        _writer = new PolicyStatusWriter(_source, provider,
            Options.Create(new StatusWriterOptions { Identity = "replica-a", RetryPeriod = TimeSpan.FromMilliseconds(50), RenewDeadline = TimeSpan.FromSeconds(1), LeaseDuration = TimeSpan.FromSeconds(2), MaxBackoff = TimeSpan.FromMilliseconds(200) }),
            NullLogger<PolicyStatusWriter>.Instance);
        var withWriter = new ServiceCollection()
            .AddSingleton<IKubernetes>(client)
            .AddSingleton(loops)
            .AddSingleton(_writer)
            .AddSingleton(Options.Create(new AdmissionOptions { OwnNamespace = "policy-webhook" }))
            .AddSingleton(time ?? TimeProvider.System)
            .BuildServiceProvider();
        _reporter = new PolicyReporter(_source, withWriter,
            Options.Create(new ReportOptions
            {
                Enabled = true,
                Interval = interval ?? TimeSpan.FromMinutes(5),
                Debounce = TimeSpan.FromMilliseconds(50),
                MinInterval = TimeSpan.FromMilliseconds(100),
                RetryPeriod = TimeSpan.FromMilliseconds(50),
                MaxBackoff = TimeSpan.FromMilliseconds(200),
                MaxBytes = maxBytes,
            }),
            NullLogger<PolicyReporter>.Instance);
        _disposables.AddRange([client, _source, _writer, _reporter, provider, withWriter]);
        var token = TestContext.Current.CancellationToken;
        await _writer.StartAsync(token);
        await _source.StartAsync(token);
        await _reporter.StartAsync(token);
    }

    private JsonObject Report(string ns) => _server.Reports[$"{ns}/policywebhook"];

    private static List<(string Kind, string Name, string Rule, string Result)> Results(JsonObject report) =>
        [.. report["results"]!.AsArray().Select(r => ((string)r!["resources"]![0]!["kind"]!, (string)r["resources"]![0]!["name"]!, (string)r["rule"]!, (string)r["result"]!))];

    [Fact]
    public async Task Reports_NamespaceWithoutIsolation_HasAResultAboutTheNamespace()
    {
        _server.Put(FakeApiServer.ClusterPolicies, Policy("isolate", """{"mode":"Audit","namespaceIsolation":{"egress":true}}"""));
        foreach (var ns in new[] { "empty", "kube-system", "policy-webhook" })
        {
            _server.Put(FakeApiServer.Namespaces, Json($$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{ns}}}"}}"""));
        }

        _server.Put(FakeApiServer.NetworkPolicies, Json("""{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"deny","namespace":"shop"},"spec":{"podSelector":{}}}"""));
        await StartAsync(networkPolicies: true);

        await Eventually.UntilAsync(() => _server.Reports.ContainsKey("shop/policywebhook") && _server.Reports.ContainsKey("empty/policywebhook"), "no reports were written");

        var empty = Report("empty");
        Assert.Equal([("Namespace", "empty", "namespaceIsolation", "fail")], Results(empty));
        Assert.Equal("no NetworkPolicy with podSelector: {} for Ingress, Egress", (string?)empty["results"]![0]!["message"]);
        Assert.Equal("isolate", (string?)empty["results"]![0]!["policy"]);
        Assert.Contains(("Namespace", "shop", "namespaceIsolation", "fail"), Results(Report("shop")));
        Assert.Equal("no NetworkPolicy with podSelector: {} for Egress", (string?)Report("shop")["results"]!.AsArray().Single(r => (string?)r!["rule"] == "namespaceIsolation")!["message"]);
        Assert.False(_server.Reports.ContainsKey("kube-system/policywebhook"));
        Assert.False(_server.Reports.ContainsKey("policy-webhook/policywebhook"));
    }

    [Fact]
    public async Task Reports_OnePerNamespace_NameTheOwnerNotItsPods_AndLeaveExemptNamespacesOut()
    {
        await StartAsync();

        await Eventually.UntilAsync(() => _server.Reports.ContainsKey("shop/policywebhook") && _server.Reports.ContainsKey("lab/policywebhook"), "no reports were written");

        var shop = Report("shop");
        Assert.Equal("wgpolicyk8s.io/v1alpha2", (string?)shop["apiVersion"]);
        Assert.Equal("PolicyReport", (string?)shop["kind"]);
        Assert.Equal([("Deployment", "web", "imageTags", "fail")], Results(shop));
        var result = shop["results"]![0]!;
        Assert.Equal("tags", (string?)result["policy"]);
        Assert.Equal("Enforce", (string?)result["properties"]!["mode"]);
        Assert.Equal("spec.template.spec.containers[0].image", (string?)result["properties"]!["paths"]);
        Assert.StartsWith("container \"app\" must pin image \"nginx\"", (string?)result["message"], StringComparison.Ordinal);
        Assert.Equal(1, (int)shop["summary"]!["fail"]!);
        Assert.Equal(1, (int)shop["summary"]!["pass"]!); // api: passes are counted, not listed
        Assert.Equal([("Pod", "debug", "imageTags", "fail")], Results(Report("lab")));
        Assert.DoesNotContain(_server.Reports.Keys, k => k.StartsWith("kube-system/", StringComparison.Ordinal));
        Assert.False(_server.Reports.ContainsKey("policy-webhook/policywebhook"));
    }

    [Fact]
    public async Task Reports_NothingChanged_AreNotWrittenAgain_ButAPolicyChangeRewritesThem()
    {
        await StartAsync(interval: TimeSpan.FromMilliseconds(200));
        await Eventually.UntilAsync(() => _server.ReportWrites == 2, "the first reports were not written");
        var passes = _reporter.Passes;

        // Several passes (the interval is short here) over a cluster where nothing changed: no write at all.
        await Eventually.UntilAsync(() => _reporter.Passes >= passes + 3, "no further passes");
        Assert.Equal(2, _server.ReportWrites);

        _server.Put(FakeApiServer.ClusterPolicies, Policy("tags", """{"rules":{"imageTags":{"mode":"Warn"}}}"""));
        await Eventually.UntilAsync(() => Results(Report("shop")).SequenceEqual([("Deployment", "web", "imageTags", "warn")]), "the policy change never reached the report");
        Assert.Equal(4, _server.ReportWrites);
    }

    [Fact]
    public async Task Reports_AnObjectFixed_IsNoLongerListed_AsSoonAsItsWatchSaysSo()
    {
        await StartAsync(); // The interval is five minutes: only the watch can bring the change in time.
        await Eventually.UntilAsync(() => _server.Reports.ContainsKey("shop/policywebhook"), "no report");
        await Eventually.UntilAsync(() => _server.Watches(Deployments) > 0, "the Deployments are not watched");

        var fixedWeb = Deployment("web", "shop", "nginx:1.27");
        fixedWeb["metadata"]!["generation"] = 2;
        _server.Put(Deployments, fixedWeb);

        await Eventually.UntilAsync(() => Results(Report("shop")).Count == 0, "the fixed Deployment is still reported");
        Assert.Equal(2, (int)Report("shop")["summary"]!["pass"]!);
    }

    [Fact]
    public async Task Reports_AStatusUpdateOrAnOwnedPod_StartsNoPass()
    {
        await StartAsync();
        await Eventually.UntilAsync(() => _server.Reports.ContainsKey("shop/policywebhook"), "no report");
        await Eventually.UntilAsync(() => _server.Watches(Pods) > 0 && _server.Watches(Deployments) > 0, "not watched");
        await Task.Delay(300, TestContext.Current.CancellationToken);
        var passes = _reporter.Passes;

        var status = Deployment("web", "shop", "nginx");
        status["status"] = new JsonObject { ["readyReplicas"] = 3 }; // generation unchanged: a status update
        _server.Put(Deployments, status);
        _server.Put(Pods, Owned("Pod", "web-6d4cf-new", "shop", "nginx", "ReplicaSet", "web-6d4cf"));
        await Task.Delay(600, TestContext.Current.CancellationToken);

        Assert.Equal(passes, _reporter.Passes);
        _server.Put(Pods, Pod("standalone", "shop", "busybox"));
        await Eventually.UntilAsync(() => _reporter.Passes > passes, "a Pod of its own did not start a pass");
    }

    [Fact]
    public async Task Reports_OfANamespaceWithNothingLeft_WrittenByAnEarlierLeader_AreDeleted()
    {
        _server.Reports["gone/policywebhook"] = Json("""{"apiVersion":"wgpolicyk8s.io/v1alpha2","kind":"PolicyReport","metadata":{"name":"policywebhook","namespace":"gone","labels":{"app.kubernetes.io/managed-by":"policy-webhook"}}}""");
        _server.Reports["gone/someone-elses"] = Json("""{"apiVersion":"wgpolicyk8s.io/v1alpha2","kind":"PolicyReport","metadata":{"name":"someone-elses","namespace":"gone","labels":{"app.kubernetes.io/managed-by":"kyverno"}}}""");

        await StartAsync();

        await Eventually.UntilAsync(() => !_server.Reports.ContainsKey("gone/policywebhook"), "the stale report was left");
        Assert.True(_server.Reports.ContainsKey("gone/someone-elses"));
        Assert.True(_server.Reports.ContainsKey("shop/policywebhook"));
    }

    [Fact]
    public async Task Reports_AnExceptionThatExpires_TurnsFromSkipToFail()
    {
        // The reporter's clock moves when the test says: the waiver is in force however long a busy machine takes to
        // make the first pass, and expires two minutes later on that clock, within the five-minute interval.
        var clock = new JumpingClock();
        var expiry = clock.GetUtcNow().AddMinutes(2).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        _server.Put(FakeApiServer.Exceptions, Json($$$$$"""
            {"apiVersion":"policywebhook.io/v1alpha1","kind":"PolicyException","metadata":{"name":"web-latest","namespace":"shop","generation":1},
             "spec":{"policy":{"name":"tags"},"checks":["imageTags"],"match":{"names":["web"]},"justification":"the vendor ships only :latest until March","expiresAt":"{{{{{expiry}}}}}"}}
            """));
        await StartAsync(time: clock);

        await Eventually.UntilAsync(() => _server.Reports.ContainsKey("shop/policywebhook") && Results(Report("shop")).SequenceEqual([("Deployment", "web", "imageTags", "skip")]), "the waiver was not reported");
        Assert.StartsWith("waived by PolicyException \"shop/web-latest\"", (string?)Report("shop")["results"]![0]!["message"], StringComparison.Ordinal);

        // No change is heard of: the pass is due because the exception expires.
        clock.Jump(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(2));
        await Eventually.UntilAsync(() => Results(Report("shop")).SequenceEqual([("Deployment", "web", "imageTags", "fail")]), "the expiry never reached the report");
    }

    [Fact]
    public async Task Reports_ApiServerGoneAndBack_AreWrittenAgainByThemselves()
    {
        await StartAsync(interval: TimeSpan.FromMilliseconds(200));
        await Eventually.UntilAsync(() => _server.Reports.ContainsKey("shop/policywebhook"), "no report");
        var port = _server.Address.Port;

        await _server.StopAsync();
        await Task.Delay(1000, TestContext.Current.CancellationToken);
        _server.Reports.Clear(); // etcd restored from an old backup, say: the reports must come back.
        await _server.StartAsync(port);

        await Eventually.UntilAsync(() => _server.Reports.ContainsKey("shop/policywebhook"), "the reports were not written again after the outage");
    }

    [Fact]
    public async Task Reports_TheReadmesTranscript_IsWhatKubectlShowsOfThem()
    {
        await StartAsync();
        await Eventually.UntilAsync(() => _server.Reports.ContainsKey("shop/policywebhook") && _server.Reports.ContainsKey("lab/policywebhook"), "no reports were written");
        var readme = PolicyWebhook.Tests.Shared.ReadmeBlocks.Block(RepoPaths.Root, "policyreports");

        // kubectl's table: the CRD's printer columns, each padded to its widest cell and three spaces; AGE varies.
        string[] columns = ["NAMESPACE", "NAME", "PASS", "FAIL", "WARN", "ERROR", "SKIP"];
        var rows = _server.Reports.Values.OrderBy(r => (string)r["metadata"]!["namespace"]!, StringComparer.Ordinal)
            .Select(r => new[] { (string)r["metadata"]!["namespace"]!, (string)r["metadata"]!["name"]! }
                .Concat(new[] { "pass", "fail", "warn", "error", "skip" }.Select(k => ((int)r["summary"]![k]!).ToString(System.Globalization.CultureInfo.InvariantCulture))).ToArray())
            .ToList();
        var widths = columns.Select((c, i) => rows.Select(r => r[i].Length).Append(c.Length).Max()).ToArray();
        string Line(string[] cells) => string.Concat(cells.Select((c, i) => c.PadRight(widths[i] + 3)));
        Assert.Equal("$ kubectl get policyreports -A", readme[0]);
        Assert.Equal(Line(columns) + "AGE", readme[1]);
        Assert.Equal(rows.Count, readme.Count(l => l.EndsWith("4m", StringComparison.Ordinal)));
        foreach (var (row, i) in rows.Select((r, i) => (r, i)))
        {
            Assert.Equal(Line(row) + "4m", readme[2 + i]);
        }

        // jsonpath prints an object as JSON with its keys in order.
        Assert.Equal("$ kubectl get policyreport -n shop policywebhook -o jsonpath='{.results[0]}'", readme[2 + rows.Count]);
        var goJson = new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        Assert.Equal(Sorted(Report("shop")["results"]![0]!).ToJsonString(goJson), readme[3 + rows.Count]);
    }

    private static JsonNode Sorted(JsonNode node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, (JsonNode?)Sorted(p.Value!)))),
        JsonArray a => new JsonArray([.. a.Select(x => Sorted(x!))]),
        _ => node.DeepClone(),
    };
}
