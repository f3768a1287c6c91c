using BenchmarkDotNet.Attributes;
using PolicyWebhook.Engine.Images;
using PolicyWebhook.Tests.Shared;

namespace PolicyWebhook.Benchmarks;

/// <summary>
/// One full verification round against Debian's docker-registry serving the cosign fixtures on loopback: resolve the
/// tag, then fetch and verify the signature and the vulnerability attestation, with a fresh gatherer, verifier and
/// HTTP client each time (new connections, keys parsed again, empty cache), as for an image the webhook has not seen.
/// </summary>
[MemoryDiagnoser]
public class ColdVerificationBenchmarks
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(30);
    private readonly RegistryServer _registry = new();

    [GlobalSetup]
    public void Setup() => _registry.InitializeAsync().AsTask().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => _registry.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true, Description = "shop/app:1.0, legacy .sig and .att tags")]
    public Task<ImageFacts> Legacy() => RoundAsync("shop/app:1.0");

    [Benchmark(Description = "shop/app:1.2, bundles as OCI referrers")]
    public Task<ImageFacts> Bundles() => RoundAsync("shop/app:1.2");

    private async Task<ImageFacts> RoundAsync(string repositoryAndTag)
    {
        using var fresh = new CountingGatherer(_registry.Host);
        var image = $"{_registry.Host}/{repositoryAndTag}";
        var entry = CountingGatherer.SignedAndScanned;
        var gathered = await fresh.Gatherer.GatherAsync([(entry, image)], Budget, CancellationToken.None).ConfigureAwait(false);
        var facts = gathered.Find(entry, image)!;
        // A round that failed would be measured fast and wrong.
        return facts.Unavailable is null && facts.SignedBy.Count == 1 && facts.Attestations.Count == 1
            ? facts
            : throw new InvalidOperationException($"{image} did not verify: {facts.Unavailable}");
    }
}
