using PolicyWebhook.Tests.Shared;

namespace PolicyWebhook.Provenance.Tests.Caching;

/// <summary>
/// One verification round per unseen image, counted in HTTP requests to the real docker-registry serving the cosign
/// fixtures: 1,000 concurrent gathers send the registry exactly what one gather sends. A count, never a time.
/// </summary>
public sealed class SingleFlightRegistryTests(RegistryServer registry) : IClassFixture<RegistryServer>
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("shop/app:1.0")] // legacy .sig and .att tags
    [InlineData("shop/app:1.2")] // bundles as OCI referrers
    public async Task GatherAsync_ThousandConcurrentForOneUnseenImage_SendTheRequestsOfOneGather(string repositoryAndTag)
    {
        var image = $"{registry.Host}/{repositoryAndTag}";
        var entry = CountingGatherer.SignedAndScanned;
        using var single = new CountingGatherer(registry.Host);
        using var shared = new CountingGatherer(registry.Host);

        var one = await single.Gatherer.GatherAsync([(entry, image)], Budget, TestContext.Current.CancellationToken);
        var many = await Task.WhenAll(Enumerable.Range(0, 1000).Select(_ => shared.Gatherer.GatherAsync([(entry, image)], Budget, TestContext.Current.CancellationToken)));

        Assert.Equal(["A"], one.Find(entry, image)!.SignedBy);
        Assert.All(many, r => Assert.Equal(["A"], r.Find(entry, image)!.SignedBy));
        Assert.All(many, r => Assert.Single(r.Find(entry, image)!.Attestations));
        Assert.InRange(single.Requests, 2, 12);
        Assert.Equal(single.Requests, shared.Requests);
    }
}
