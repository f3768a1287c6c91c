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
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet calls [GlobalCleanup], which disposes it, and never Dispose.")]
public class ColdVerificationBenchmarks
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(30);
    private readonly RegistryServer _registry = new();
    private TestSigstore? _sigstore;
    private IReadOnlyList<Provenance.Sigstore.TrustedRoot> _roots = [];

    [GlobalSetup]
    public void Setup()
    {
        _registry.InitializeAsync().AsTask().GetAwaiter().GetResult();
        // Images of its own, signed keylessly by a test Sigstore in both formats, beside the fixtures.
        _sigstore = new TestSigstore();
        _roots = [Provenance.Sigstore.TrustedRoot.Parse(_sigstore.TrustedRootJson)];
        KeylessImages.PushLegacySignedAsync(_sigstore, _registry.Host, "keyless/legacy").GetAwaiter().GetResult();
        KeylessImages.PushBundleSignedAsync(_sigstore, _registry.Host, "keyless/bundle").GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _sigstore?.Dispose();
        _registry.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true, Description = "shop/app:1.0, legacy .sig and .att tags")]
    public Task<ImageFacts> Legacy() => RoundAsync("shop/app:1.0");

    [Benchmark(Description = "shop/app:1.2, bundles as OCI referrers")]
    public Task<ImageFacts> Bundles() => RoundAsync("shop/app:1.2");

    [Benchmark(Description = "keyless/legacy:1.0, keyless legacy .sig tag")]
    public Task<ImageFacts> KeylessLegacy() => KeylessRoundAsync("keyless/legacy:1.0");

    [Benchmark(Description = "keyless/bundle:1.0, keyless bundle as OCI referrer")]
    public Task<ImageFacts> KeylessBundle() => KeylessRoundAsync("keyless/bundle:1.0");

    // A keyless signature only (no attestation): the certificate chain, the log entry, its SET (and for the bundle
    // its inclusion proof and checkpoint) verified against the test Sigstore's trusted root.
    private async Task<ImageFacts> KeylessRoundAsync(string repositoryAndTag)
    {
        using var fresh = new CountingGatherer(_registry.Host, roots: _roots);
        var image = $"{_registry.Host}/{repositoryAndTag}";
        var gathered = await fresh.Gatherer.GatherAsync([(CountingGatherer.Keyless, image)], Budget, CancellationToken.None).ConfigureAwait(false);
        var facts = gathered.Find(CountingGatherer.Keyless, image)!;
        return facts.Unavailable is null && facts.SignedBy.Count == 1
            ? facts
            : throw new InvalidOperationException($"{image} did not verify: {facts.Unavailable} {string.Join("; ", facts.KeylessFailures)}");
    }

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
