using Microsoft.Extensions.Time.Testing;
using PolicyWebhook.Engine.Images;
using PolicyWebhook.Provenance.Caching;
using PolicyWebhook.Provenance.Registry;

namespace PolicyWebhook.Provenance.Tests.Caching;

public sealed class ImageFactsGathererTests
{
    private const string Digest = "sha256:42db45ae16fd87c2098919d2c45ecf87ef3ce21a7075e8a6a2c2c7ff88338c7f";
    private const string Image = "registry.example.com/shop/app:1.0";
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(30);

    private static readonly ImageVerificationEntry Signed = new(
        "shop",
        ["registry.example.com/shop/*"],
        [new TrustedKeySource("A", Pem: "unused")],
        1,
        null,
        null,
        RegistryErrorAction.Deny)
    { CacheKey = "uid-1/1/0" };

    [Fact]
    public async Task GatherAsync_ThousandConcurrentRequestsForOneUnseenImage_MakeOneRegistryRound()
    {
        var verifier = new CountingVerifier { Gate = new TaskCompletionSource() };
        var gatherer = new ImageFactsGatherer(verifier);

        var requests = Enumerable.Range(0, 1000).Select(_ => gatherer.GatherAsync([(Signed, Image)], Budget, TestContext.Current.CancellationToken)).ToList();
        verifier.Gate.SetResult();
        var results = await Task.WhenAll(requests);

        Assert.Equal(1, verifier.Resolves);
        Assert.Equal(1, verifier.Verifies);
        Assert.All(results, r => Assert.Equal(["A"], r.Find(Signed, Image)!.SignedBy));
        Assert.All(results, r => Assert.Equal($"{Image}@{Digest}", r.Pins[Image]));
    }

    [Fact]
    public async Task GatherAsync_RoundThatFinishesAtOnce_IsCountedAMissThenHits()
    {
        // The verifier answers synchronously: the round has finished before the lookup is counted, as a busy machine
        // can make a real round finish between the lookup and its count. It is still a miss.
        using var meters = new TestMeterFactory();
        var lookups = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var listener = meters.Listen("policywebhook.image.cache.lookups", (value, tags) => lookups.Enqueue((string)tags[0].Value!));
        var gatherer = new ImageFactsGatherer(new CountingVerifier(), metrics: new ProvenanceMetrics(meters));

        await gatherer.GatherAsync([(Signed, Image)], Budget, TestContext.Current.CancellationToken);
        await gatherer.GatherAsync([(Signed, Image)], Budget, TestContext.Current.CancellationToken);

        Assert.Equal(["miss", "miss", "hit", "hit"], lookups);
    }

    [Fact]
    public async Task GatherAsync_SecondRequestWithinTtl_IsServedFromTheCache()
    {
        var verifier = new CountingVerifier();
        var gatherer = new ImageFactsGatherer(verifier);

        await gatherer.GatherAsync([(Signed, Image)], Budget, TestContext.Current.CancellationToken);
        var second = await gatherer.GatherAsync([(Signed, Image)], Budget, TestContext.Current.CancellationToken);

        Assert.Equal(1, verifier.Verifies);
        Assert.Equal(Digest, second.Find(Signed, Image)!.Digest);
    }

    [Fact]
    public async Task GatherAsync_AfterTheSuccessTtl_VerifiesAgain()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-27T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var verifier = new CountingVerifier();
        var gatherer = new ImageFactsGatherer(verifier, new VerificationCacheOptions(), time);

        await gatherer.GatherAsync([(Signed, Image)], Budget, TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromMinutes(11));
        await gatherer.GatherAsync([(Signed, Image)], Budget, TestContext.Current.CancellationToken);

        Assert.Equal(2, verifier.Verifies);
        Assert.Equal(2, verifier.Resolves);
    }

    [Fact]
    public async Task GatherAsync_UnsignedImage_IsKeptOnlyForTheFailureTtl()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-27T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var verifier = new CountingVerifier { Signers = [] };
        var gatherer = new ImageFactsGatherer(verifier, new VerificationCacheOptions { TagTtl = TimeSpan.FromHours(1) }, time);

        var first = await gatherer.GatherAsync([(Signed, Image)], Budget, TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromSeconds(31));
        await gatherer.GatherAsync([(Signed, Image)], Budget, TestContext.Current.CancellationToken);

        Assert.Empty(first.Pins);
        Assert.Equal(2, verifier.Verifies);
        Assert.Equal(1, verifier.Resolves);
    }

    [Fact]
    public async Task GatherAsync_SignedByTooFewKeys_IsKeptOnlyForTheFailureTtl()
    {
        // One signature where two distinct keys are required: a verdict that fails, however much it shows.
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-27T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var twoKeys = Signed with { Keys = [new TrustedKeySource("A", Pem: "unused"), new TrustedKeySource("B", Pem: "unused")], RequiredSignatures = 2 };
        var verifier = new CountingVerifier();
        var gatherer = new ImageFactsGatherer(verifier, new VerificationCacheOptions { TagTtl = TimeSpan.FromHours(1) }, time);

        await gatherer.GatherAsync([(twoKeys, Image)], Budget, TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromSeconds(31));
        await gatherer.GatherAsync([(twoKeys, Image)], Budget, TestContext.Current.CancellationToken);

        Assert.Equal(2, verifier.Verifies);
    }

    [Fact]
    public async Task GatherAsync_ChangedPolicyGeneration_DoesNotReuseTheResult()
    {
        var verifier = new CountingVerifier();
        var gatherer = new ImageFactsGatherer(verifier);

        await gatherer.GatherAsync([(Signed, Image)], Budget, TestContext.Current.CancellationToken);
        await gatherer.GatherAsync([(Signed with { CacheKey = "uid-1/2/0" }, Image)], Budget, TestContext.Current.CancellationToken);

        Assert.Equal(2, verifier.Verifies);
        Assert.Equal(1, verifier.Resolves);
    }

    [Fact]
    public async Task GatherAsync_CachedScan_IsJudgedAgainstTheClockEachTime()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-28T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var scanned = new VulnerabilityRequirement([new TrustedKeySource("S", Pem: "unused")], VulnerabilitySeverity.High, TimeSpan.FromDays(7));
        var entry = Signed with { Vulnerabilities = scanned };
        var verifier = new CountingVerifier { ScanFinishedOn = DateTimeOffset.Parse("2026-11-27T10:00:42Z", System.Globalization.CultureInfo.InvariantCulture) };
        var gatherer = new ImageFactsGatherer(verifier, new VerificationCacheOptions { SuccessTtl = TimeSpan.FromDays(30), TagTtl = TimeSpan.FromDays(30) }, time);

        var fresh = await gatherer.GatherAsync([(entry, Image)], Budget, TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromDays(8));
        var stale = await gatherer.GatherAsync([(entry, Image)], Budget, TestContext.Current.CancellationToken);

        Assert.Equal(1, verifier.Verifies);
        Assert.True(fresh.Pins.ContainsKey(Image));
        Assert.False(stale.Pins.ContainsKey(Image));
        Assert.False(Engine.Checks.ImageVerificationCheck.Passes(entry, stale.Find(entry, Image)!, time.GetUtcNow()));
    }

    [Fact]
    public async Task GatherAsync_RegistrySlowerThanTheBudget_ReportsUnavailableAndTheRoundStillFillsTheCache()
    {
        var verifier = new CountingVerifier { Gate = new TaskCompletionSource() };
        var gatherer = new ImageFactsGatherer(verifier);

        var late = await gatherer.GatherAsync([(Signed, Image)], TimeSpan.FromMilliseconds(50), TestContext.Current.CancellationToken);
        verifier.Gate.SetResult();
        var retry = await WhenCached(gatherer);

        Assert.Equal("registry registry.example.com did not answer within 50 ms", late.Find(Signed, Image)!.Unavailable);
        Assert.Empty(late.Pins);
        Assert.Equal(["A"], retry.Find(Signed, Image)!.SignedBy);
        Assert.Equal(1, verifier.Verifies);
    }

    [Fact]
    public async Task GatherAsync_RegistryError_IsFactsSayingWhyNotAnException()
    {
        var verifier = new CountingVerifier { Failure = new RegistryUnavailableException("registry registry.example.com answered 500 Internal Server Error for shop/app manifest 1.0") };
        var gatherer = new ImageFactsGatherer(verifier);

        var result = await gatherer.GatherAsync([(Signed, Image)], Budget, TestContext.Current.CancellationToken);

        Assert.Equal("registry registry.example.com answered 500 Internal Server Error for shop/app manifest 1.0", result.Find(Signed, Image)!.Unavailable);
        Assert.Empty(result.Pins);
    }

    [Fact]
    public async Task GatherAsync_ImageWithDigest_MakesNoTagRoundAndIsNotPinnedAgain()
    {
        var verifier = new CountingVerifier();
        var gatherer = new ImageFactsGatherer(verifier);
        var pinned = $"{Image}@{Digest}";

        var result = await gatherer.GatherAsync([(Signed, pinned)], Budget, TestContext.Current.CancellationToken);

        Assert.Equal(0, verifier.Resolves);
        Assert.Equal(["A"], result.Find(Signed, pinned)!.SignedBy);
        Assert.Empty(result.Pins);
    }

    [Fact]
    public async Task GatherAsync_MoreEntriesThanTheCacheHolds_StaysWithinItsBound()
    {
        var verifier = new CountingVerifier();
        var gatherer = new ImageFactsGatherer(verifier, new VerificationCacheOptions { MaxEntries = 50 });

        for (var i = 0; i < 200; i++)
        {
            await gatherer.GatherAsync([(Signed with { CacheKey = $"uid-{i}/1/0" }, Image)], Budget, TestContext.Current.CancellationToken);
        }

        Assert.InRange(gatherer.CachedEntries, 1, 50 + 5);
    }

    [Fact]
    public async Task GatherAsync_PodNamingTooManyImages_VerifiesOnlyTheFirst64()
    {
        var verifier = new CountingVerifier();
        var gatherer = new ImageFactsGatherer(verifier);
        var work = Enumerable.Range(0, 70).Select(i => (Signed, $"registry.example.com/shop/app{i}:1.0")).ToList();

        var result = await gatherer.GatherAsync(work, Budget, TestContext.Current.CancellationToken);

        Assert.Equal(64, verifier.Verifies);
        Assert.Equal("the pod names more than 64 images to verify", result.Find(Signed, "registry.example.com/shop/app69:1.0")!.Failure);
    }

    [Fact]
    public async Task GatherAsync_KeyReplacedInItsSecret_VerifiesAgainRatherThanReuseTheVerdict()
    {
        var verifier = new CountingVerifier();
        var keys = new RotatingKeys { Current = "old" };
        var gatherer = new ImageFactsGatherer(verifier, keys: keys);

        await gatherer.GatherAsync([(Signed, Image)], Budget, TestContext.Current.CancellationToken);
        await gatherer.GatherAsync([(Signed, Image)], Budget, TestContext.Current.CancellationToken);
        var verifiesWithTheOldKey = verifier.Verifies;
        keys.Current = "new";
        await gatherer.GatherAsync([(Signed, Image)], Budget, TestContext.Current.CancellationToken);

        Assert.Equal(1, verifiesWithTheOldKey);
        Assert.Equal(2, verifier.Verifies);
    }

    [Fact]
    public async Task GatherAsync_VerifierThrowsUnexpectedly_TellsTheCallerTheImageAndTheException()
    {
        var failure = new InvalidOperationException("not for developers' eyes");
        var gatherer = new ImageFactsGatherer(new CountingVerifier { Failure = failure });
        var told = new System.Collections.Concurrent.ConcurrentQueue<(string Image, Exception Error)>();

        var result = await gatherer.GatherAsync([(Signed, Image)], Budget, (image, e) => told.Enqueue((image, e)), TestContext.Current.CancellationToken);

        Assert.Equal((Image, failure), Assert.Single(told));
        Assert.Equal("verification failed unexpectedly (InvalidOperationException); the webhook's log has the details", result.Find(Signed, Image)!.Failure);
    }

    [Fact]
    public async Task GatherAsync_RegistryDidNotAnswer_TellsTheCallerNothingUnexpected()
    {
        var gatherer = new ImageFactsGatherer(new CountingVerifier { Failure = new RegistryUnavailableException("registry registry.example.com answered 500 Internal Server Error") });
        var told = new System.Collections.Concurrent.ConcurrentQueue<(string Image, Exception Error)>();

        var result = await gatherer.GatherAsync([(Signed, Image)], Budget, (image, e) => told.Enqueue((image, e)), TestContext.Current.CancellationToken);

        Assert.Empty(told);
        Assert.Equal("registry registry.example.com answered 500 Internal Server Error", result.Find(Signed, Image)!.Unavailable);
    }

    [Fact]
    public async Task GatherAsync_ManyNewImagesAtOnce_RunsNoMoreRoundsAtATimeThanAllowed()
    {
        var verifier = new ConcurrencyVerifier();
        var gatherer = new ImageFactsGatherer(verifier, new VerificationCacheOptions { MaxConcurrentRounds = 2 });
        var work = Enumerable.Range(0, 12).Select(i => (Signed, $"registry.example.com/shop/app{i}@{Digest}")).ToList();

        var result = await gatherer.GatherAsync(work, Budget, TestContext.Current.CancellationToken);

        Assert.Equal(12, verifier.Calls);
        Assert.InRange(verifier.MostAtOnce, 1, 2);
        Assert.All(work, w => Assert.Equal(["A"], result.Find(Signed, w.Item2)!.SignedBy));
    }

    private static async Task<GatheredImages> WhenCached(ImageFactsGatherer gatherer)
    {
        // The round stores its result just after finishing; ask until the cache answers without a new round.
        for (var i = 0; ; i++)
        {
            var result = await gatherer.GatherAsync([(Signed, Image)], Budget, TestContext.Current.CancellationToken);
            if (result.Find(Signed, Image)!.Unavailable is null || i > 100)
            {
                return result;
            }

            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Meters of its own, so that tests running beside each other never read each other's measurements.</summary>
    private sealed class TestMeterFactory : System.Diagnostics.Metrics.IMeterFactory
    {
        private readonly List<System.Diagnostics.Metrics.Meter> _meters = [];

        public System.Diagnostics.Metrics.Meter Create(System.Diagnostics.Metrics.MeterOptions options)
        {
            var meter = new System.Diagnostics.Metrics.Meter(options);
            _meters.Add(meter);
            return meter;
        }

        /// <summary>Calls <paramref name="measured"/> with each long measurement of the named instrument of this factory's meters.</summary>
        public System.Diagnostics.Metrics.MeterListener Listen(string instrument, Action<long, KeyValuePair<string, object?>[]> measured)
        {
            var listener = new System.Diagnostics.Metrics.MeterListener
            {
                InstrumentPublished = (published, l) =>
                {
                    if (_meters.Contains(published.Meter) && published.Name == instrument)
                    {
                        l.EnableMeasurementEvents(published);
                    }
                },
            };
            listener.SetMeasurementEventCallback<long>((_, value, tags, _) => measured(value, tags.ToArray()));
            listener.Start();
            return listener;
        }

        public void Dispose()
        {
            foreach (var meter in _meters)
            {
                meter.Dispose();
            }
        }
    }

    private sealed class CountingVerifier : IImageVerifier
    {
        private int _resolves;
        private int _verifies;

        public TaskCompletionSource? Gate { get; init; }

        public IReadOnlyList<string> Signers { get; init; } = ["A"];

        public DateTimeOffset? ScanFinishedOn { get; init; }

        public Exception? Failure { get; init; }

        public int Resolves => _resolves;

        public int Verifies => _verifies;

        public async Task<string> ResolveDigestAsync(ImageReference reference, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _resolves);
            if (Gate is not null)
            {
                await Gate.Task.WaitAsync(cancellationToken);
            }

            return Digest;
        }

        public Task<ImageFacts> VerifyAsync(ImageReference reference, string digest, ImageVerificationEntry entry, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _verifies);
            if (Failure is not null)
            {
                throw Failure;
            }

            var scan = ScanFinishedOn is { } finished
                ? new[] { new AttestationFact(AttestationFact.VulnerabilityPredicate, "S") { Scan = new VulnerabilityScan(finished, []) } }
                : [];
            return Task.FromResult(new ImageFacts(reference.ToString()) { Digest = digest, SignedBy = Signers, Attestations = scan });
        }
    }

    private sealed class RotatingKeys : IKeyMaterial
    {
        public string Current { get; set; } = string.Empty;

        public string ReadPem(TrustedKeySource source) => "unused";

        public string Fingerprint(TrustedKeySource source) => Current;
    }

    private sealed class ConcurrencyVerifier : IImageVerifier
    {
        private int _now;
        private int _most;
        private int _calls;

        public int MostAtOnce => _most;

        public int Calls => _calls;

        public Task<string> ResolveDigestAsync(ImageReference reference, CancellationToken cancellationToken) => Task.FromResult(Digest);

        public async Task<ImageFacts> VerifyAsync(ImageReference reference, string digest, ImageVerificationEntry entry, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            var now = Interlocked.Increment(ref _now);
            int most;
            while (now > (most = Volatile.Read(ref _most)) && Interlocked.CompareExchange(ref _most, now, most) != most)
            {
            }

            await Task.Delay(20, cancellationToken);
            Interlocked.Decrement(ref _now);
            return new ImageFacts(reference.ToString()) { Digest = digest, SignedBy = ["A"] };
        }
    }
}
