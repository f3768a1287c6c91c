using System.Text.Json.Nodes;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PolicyWebhook.Host.Admission;
using PolicyWebhook.Host.Cluster;
using PolicyWebhook.Host.Hosting;

namespace PolicyWebhook.Host.Tests.Cluster;

/// <summary>
/// The API server goes away for longer than every loop's backoff ceiling and comes back: each loop says it is
/// failing meanwhile, and resumes by itself afterwards, with no restart.
/// </summary>
public sealed class OutageRecoveryTests
{
    private static readonly TimeSpan Ceiling = TimeSpan.FromMilliseconds(200);

    private static JsonObject ClusterPolicy(string name) =>
        JsonNode.Parse("""{"apiVersion":"policywebhook.io/v1alpha1","kind":"ClusterPolicy","metadata":{"name":"NAME","generation":1},"spec":{"podSecurity":{"level":"baseline"}}}"""
            .Replace("NAME", name, StringComparison.Ordinal))!.AsObject();

    /// <summary>An API server holding one policy, and a policy source watching it with the short ceiling.</summary>
    private static async Task<(int Port, Kubernetes Client, BackgroundLoops Loops, ClusterPolicySource Source)> StartAsync(FakeApiServer server)
    {
        await server.StartAsync();
        server.Put(FakeApiServer.ClusterPolicies, ClusterPolicy("before"));
        var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.Address.ToString() });
        var loops = new BackgroundLoops(TimeProvider.System, NullLogger<BackgroundLoops>.Instance);
        var source = new ClusterPolicySource(client, NullLogger<ClusterPolicySource>.Instance, TimeProvider.System,
            Options.Create(new ClusterSourceOptions { MaxBackoff = Ceiling }), loops);
        return (server.Address.Port, client, loops, source);
    }

    [Fact]
    public async Task StatusWriter_ApiServerGoneLongerThanTheCeiling_WritesStatusAndRenewsTheLeaseAgainByItself()
    {
        await using var server = new FakeApiServer();
        var (port, client, loops, source) = await StartAsync(server);
        using var disposeClient = client;
        using var disposeSource = source;
        var services = new ServiceCollection()
            .AddSingleton<IKubernetes>(client)
            .AddSingleton(loops)
            .AddSingleton(Options.Create(new AdmissionOptions { OwnNamespace = "policy-webhook" }))
            .BuildServiceProvider();
        using var writer = new PolicyStatusWriter(source, services,
            Options.Create(new StatusWriterOptions
            {
                Identity = "replica-a",
                RetryPeriod = TimeSpan.FromMilliseconds(50),
                RenewDeadline = TimeSpan.FromMilliseconds(400),
                LeaseDuration = TimeSpan.FromSeconds(1),
                MaxBackoff = Ceiling,
            }),
            NullLogger<PolicyStatusWriter>.Instance);
        var token = TestContext.Current.CancellationToken;
        await writer.StartAsync(token);
        await source.StartAsync(token);
        await Eventually.UntilAsync(() => server.StatusPatches.Any(p => p.Key == "/before"), "the first status was never written");
        var renewedBefore = writer.LeaseRenewedAt!.Value;

        await server.StopAsync();
        // Several times the backoff ceiling, and past the renew deadline: the holder stops leading.
        await Eventually.UntilAsync(() => !writer.Leading, "the writer kept leading without a Lease");
        // At least this long gone; then each loop says so, however long a busy machine takes to let it try.
        await Task.Delay(Ceiling * 5, token);
        await Eventually.UntilAsync(
            () => loops.All.Any(l => !l.Up && l.Name == "status lease") && loops.All.Any(l => !l.Up && l.Name == "watch clusterpolicies"),
            "the lease and the clusterpolicies watch never said they fail");
        var during = loops.All.Where(l => !l.Up).Select(l => l.Name).ToList();

        await server.StartAsync(port);
        server.Put(FakeApiServer.ClusterPolicies, ClusterPolicy("after"));
        await Eventually.UntilAsync(() => server.StatusPatches.Any(p => p.Key == "/after"), "no status was written after the API server came back");
        await Eventually.UntilAsync(() => loops.All.All(l => l.Up), "a loop did not recover: " + string.Join(", ", loops.All.Where(l => !l.Up).Select(l => l.Name)));
        var renewedAfter = writer.LeaseRenewedAt!.Value;
        var lease = server.Leases["policy-webhook/policy-webhook-status"]["spec"]!;
        await source.StopAsync(CancellationToken.None);
        await writer.StopAsync(CancellationToken.None);

        Assert.Contains("status lease", during);
        Assert.Contains("watch clusterpolicies", during);
        Assert.True(writer.ExecuteTask!.IsCompletedSuccessfully);
        Assert.True(renewedAfter > renewedBefore.Add(Ceiling * 5), "the Lease was not renewed after the outage");
        Assert.Equal("replica-a", (string?)lease["holderIdentity"]);
        Assert.Equal("True", (string?)server.StatusPatches.Last(p => p.Key == "/after").Body["status"]!["conditions"]![0]!["status"]);
    }

    [Fact]
    public async Task Watchers_ApiServerGoneLongerThanTheCeiling_SayTheyFailAndResumeByThemselves()
    {
        await using var server = new FakeApiServer();
        var (port, client, loops, source) = await StartAsync(server);
        using var disposeClient = client;
        using var disposeSource = source;
        var token = TestContext.Current.CancellationToken;
        await source.StartAsync(token);
        await Eventually.UntilAsync(() => source.Current?.Policies.Count == 1, "never synced");
        await Eventually.UntilAsync(() => loops.All.Count == 4 && loops.All.All(l => l.Up), "the watches never started");

        await server.StopAsync();
        // At least this long gone; then each loop says so, however long a busy machine takes to let it try twice.
        await Task.Delay(Ceiling * 5, token);
        await Eventually.UntilAsync(() => loops.All.Count(l => !l.Up && l.Failures >= 2) == 4, "not every watch said it fails, twice");
        var failing = loops.All.Where(l => !l.Up).Select(l => (l.Name, l.Failures)).ToList();
        var served = source.Current!.Policies.Count;

        await server.StartAsync(port);
        server.Put(FakeApiServer.ClusterPolicies, ClusterPolicy("after"));
        await Eventually.UntilAsync(() => source.Current?.Policies.Count == 2, "a policy applied after the outage never arrived");
        await Eventually.UntilAsync(() => loops.All.All(l => l.Up), "a watch did not say it works again");
        await source.StopAsync(CancellationToken.None);

        Assert.Equal(4, failing.Count);
        Assert.All(failing, f => Assert.True(f.Failures >= 2, $"{f.Name} tried only {f.Failures} times"));
        Assert.Equal(1, served);
    }
}
