using k8s;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using PolicyWebhook.Host.Cluster;
using PolicyWebhook.Host.Hosting;

namespace PolicyWebhook.Host.Tests.Cluster;

public sealed class LeaseElectorTests
{
    private static readonly LeaseTimings Timings = new(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(400), TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200));

    private static LeaseElector Elector(Kubernetes client, string identity, TimeProvider? time = null) =>
        new(client, "policy-webhook", "status", identity, Timings,
            new BackgroundLoops(TimeProvider.System, NullLogger<BackgroundLoops>.Instance).Register("lease " + identity), NullLogger.Instance, time ?? TimeProvider.System);

    [Fact]
    public async Task Leading_ApiServerStopsAnsweringMidRenewal_EndsWithinTheRenewDeadline_BeforeAnotherCanTakeOver()
    {
        await using var server = new FakeApiServer();
        await server.StartAsync();
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.Address.ToString() });
        // The elector's clock moves only when the test moves it: how long a busy machine takes changes nothing.
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-01T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var a = Elector(client, "replica-a", time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var running = a.RunAsync(stop.Token);
        // Should a busy machine make the first call miss its deadline, the clock moves past the backoff for another.
        await Eventually.UntilAsync(
            () =>
            {
                if (!a.Leading)
                {
                    time.Advance(Timings.MaxBackoff);
                }

                return a.Leading;
            },
            "replica-a never took the Lease");
        var renewed = a.RenewedAt;

        // Every Lease call now hangs for far longer than the Lease lasts; the next renewal goes out and stays in flight.
        server.LeaseDelay = TimeSpan.FromMinutes(5);
        var calls = server.LeaseCalls;
        time.Advance(Timings.RetryPeriod * 2);
        await Eventually.UntilAsync(() => server.LeaseCalls > calls, "no renewal was sent");
        var leadingWhileInFlight = a.Leading;
        time.Advance(Timings.RenewDeadline - (Timings.RetryPeriod * 2) + TimeSpan.FromMilliseconds(1));
        var leadingPastTheDeadline = a.Leading;

        stop.Cancel();
        await running;
        // Leading until the renew deadline (400 ms) has passed since the last renewal was sent; then not, well before
        // the Lease (1 s) could pass to another replica: the call still in flight does not hold it up.
        Assert.True(leadingWhileInFlight);
        Assert.False(leadingPastTheDeadline);
        Assert.True(time.GetUtcNow() - renewed < Timings.LeaseDuration);
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
