using System.Text.Json.Nodes;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PolicyWebhook.Host.Admission;
using PolicyWebhook.Host.Cluster;
using PolicyWebhook.Host.Policies;

namespace PolicyWebhook.Host.Tests.Cluster;

public sealed class PolicyStatusWriterTests
{
    private static JsonObject ClusterPolicy(string name, string spec) =>
        JsonNode.Parse("""{"apiVersion":"policywebhook.io/v1alpha1","kind":"ClusterPolicy","metadata":{"name":"NAME","generation":3},"spec":SPEC}"""
            .Replace("NAME", name, StringComparison.Ordinal).Replace("SPEC", spec, StringComparison.Ordinal))!.AsObject();

    [Fact]
    public async Task Leader_WritesReadyOrNotReadyOnceEach_AndTakesTheLease()
    {
        await using var server = new FakeApiServer();
        await server.StartAsync();
        server.Put(FakeApiServer.ClusterPolicies, ClusterPolicy("good", """{"podSecurity":{"level":"baseline"}}"""));
        server.Put(FakeApiServer.ClusterPolicies, ClusterPolicy("bad", """{"mode":"Enforced","podSecurity":{"level":"baseline"}}"""));
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.Address.ToString() });
        using var source = new ClusterPolicySource(client, NullLogger<ClusterPolicySource>.Instance, TimeProvider.System,
            Options.Create(new ClusterSourceOptions { MaxBackoff = TimeSpan.FromMilliseconds(200) }));
        var services = new ServiceCollection()
            .AddSingleton<IKubernetes>(client)
            .AddSingleton(Options.Create(new AdmissionOptions { OwnNamespace = "policy-webhook" }))
            .BuildServiceProvider();
        using var writer = new PolicyStatusWriter(source, services,
            Options.Create(new StatusWriterOptions { Identity = "replica-a", RetryPeriod = TimeSpan.FromMilliseconds(100), RenewDeadline = TimeSpan.FromSeconds(1), LeaseDuration = TimeSpan.FromSeconds(2) }),
            NullLogger<PolicyStatusWriter>.Instance);
        var token = TestContext.Current.CancellationToken;

        await writer.StartAsync(token);
        await source.StartAsync(token);
        await Eventually.UntilAsync(() => server.StatusPatches.Count >= 2, "the two statuses were never written");

        // The writes come back as watch events; an up-to-date status is not written again.
        await Task.Delay(500, token);
        var holder = (string?)server.Leases["policy-webhook/policy-webhook-status"]["spec"]!["holderIdentity"];
        await source.StopAsync(CancellationToken.None);
        await writer.StopAsync(CancellationToken.None);

        Assert.Equal(2, server.StatusPatches.Count);
        var good = server.StatusPatches.Single(p => p.Key == "/good").Body["status"]!;
        var bad = server.StatusPatches.Single(p => p.Key == "/bad").Body["status"]!;
        Assert.Equal(3, (long)good["observedGeneration"]!);
        Assert.Equal("True", (string?)good["conditions"]![0]!["status"]);
        Assert.Equal("False", (string?)bad["conditions"]![0]!["status"]);
        Assert.Equal("Invalid", (string?)bad["conditions"]![0]!["reason"]);
        Assert.Equal("Not in force: spec.mode: \"Enforced\" is not a mode (use Enforce, Warn or Audit)", (string?)bad["conditions"]![0]!["message"]);
        Assert.Equal("replica-a", holder);
        // Given up at shutdown, so another replica need not wait for it to expire.
        Assert.Null((string?)server.Leases["policy-webhook/policy-webhook-status"]["spec"]!["holderIdentity"]);
    }

    [Fact]
    public async Task TwoReplicas_OnlyTheLeaseHolderWrites()
    {
        await using var server = new FakeApiServer();
        await server.StartAsync();
        server.Put(FakeApiServer.ClusterPolicies, ClusterPolicy("good", """{"podSecurity":{"level":"baseline"}}"""));
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.Address.ToString() });
        var services = new ServiceCollection()
            .AddSingleton<IKubernetes>(client)
            .AddSingleton(Options.Create(new AdmissionOptions { OwnNamespace = "policy-webhook" }))
            .BuildServiceProvider();
        var token = TestContext.Current.CancellationToken;
        var replicas = new List<(ClusterPolicySource Source, PolicyStatusWriter Writer)>();
        foreach (var identity in new[] { "replica-a", "replica-b" })
        {
            var source = new ClusterPolicySource(client, NullLogger<ClusterPolicySource>.Instance, TimeProvider.System, Options.Create(new ClusterSourceOptions()));
            var writer = new PolicyStatusWriter(source, services,
                Options.Create(new StatusWriterOptions { Identity = identity, RetryPeriod = TimeSpan.FromMilliseconds(100), RenewDeadline = TimeSpan.FromSeconds(4), LeaseDuration = TimeSpan.FromSeconds(5) }),
                NullLogger<PolicyStatusWriter>.Instance);
            await writer.StartAsync(token);
            await source.StartAsync(token);
            replicas.Add((source, writer));
        }

        await Eventually.UntilAsync(() => !server.StatusPatches.IsEmpty, "no status was ever written");

        await Task.Delay(500, token);
        var leading = replicas.Count(r => r.Writer.Leading);
        var writes = replicas.Sum(r => r.Writer.Writes);
        foreach (var (source, writer) in replicas)
        {
            await source.StopAsync(CancellationToken.None);
            await writer.StopAsync(CancellationToken.None);
            source.Dispose();
            writer.Dispose();
        }

        Assert.Equal(1, leading);
        Assert.Equal(1, writes);
        Assert.Single(server.StatusPatches);
    }
}
