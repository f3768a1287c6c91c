using System.Diagnostics;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;
using PolicyWebhook.Host.Cluster;
using PolicyWebhook.Host.Hosting;

namespace PolicyWebhook.Host.Tests.Cluster;

public sealed class LeaseElectorTests
{
    private static readonly LeaseTimings Timings = new(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(400), TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200));

    private static LeaseElector Elector(Kubernetes client, string identity) =>
        new(client, "policy-webhook", "status", identity, Timings,
            new BackgroundLoops(TimeProvider.System, NullLogger<BackgroundLoops>.Instance).Register("lease " + identity), NullLogger.Instance, TimeProvider.System);

    [Fact]
    public async Task Leading_ApiServerStopsAnsweringMidRenewal_EndsWithinTheRenewDeadline_BeforeAnotherCanTakeOver()
    {
        await using var server = new FakeApiServer();
        await server.StartAsync();
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.Address.ToString() });
        var a = Elector(client, "replica-a");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var running = a.RunAsync(stop.Token);
        await Eventually.UntilAsync(() => a.Leading, "replica-a never took the Lease");

        // Every Lease call now hangs for far longer than the Lease lasts.
        server.LeaseDelay = TimeSpan.FromSeconds(5);
        var clock = Stopwatch.StartNew();
        await Eventually.UntilAsync(() => !a.Leading, "replica-a kept leading with a renewal stuck in flight");
        var stoppedAfter = clock.Elapsed;

        stop.Cancel();
        await running;
        // Not leading once the renew deadline (400 ms) has passed since the last renewal was sent, well before the
        // Lease (1 s) could pass to another replica; the call still in flight does not hold it up.
        Assert.True(stoppedAfter < Timings.LeaseDuration, $"stopped leading only after {stoppedAfter.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public async Task TwoReplicas_OneLeadsAtATime_AndTheOtherTakesOverWhenItStops()
    {
        await using var server = new FakeApiServer();
        await server.StartAsync();
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.Address.ToString() });
        var a = Elector(client, "replica-a");
        var b = Elector(client, "replica-b");
        using var stopA = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        using var stopB = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var runningA = a.RunAsync(stopA.Token);
        await Eventually.UntilAsync(() => a.Leading, "replica-a never took the Lease");
        var runningB = b.RunAsync(stopB.Token);

        var both = false;
        for (var i = 0; i < 20; i++)
        {
            both |= a.Leading && b.Leading;
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        stopA.Cancel();
        await runningA; // Gives the Lease up on the way out.
        await Eventually.UntilAsync(() => b.Leading, "replica-b did not take over");
        stopB.Cancel();
        await runningB;

        Assert.False(both);
    }
}
