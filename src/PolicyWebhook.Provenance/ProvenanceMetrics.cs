using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace PolicyWebhook.Provenance;

/// <summary>
/// What image verification exposes: verifications by result, cache hits by what was found, the cache's size and the
/// registry rounds' latency. Names are dotted with second-based durations; the Prometheus exporter turns them into
/// <c>policywebhook_image_verifications_total</c> and so on.
/// </summary>
public sealed class ProvenanceMetrics
{
    public const string MeterName = "PolicyWebhook.Provenance";

    private readonly Counter<long> _verifications;
    private readonly Counter<long> _cache;
    private readonly Histogram<double> _rounds;

    public ProvenanceMetrics(IMeterFactory meters)
        : this(meters, [], TimeProvider.System)
    {
    }

    /// <summary>As the constructor above, with gauges of the Sigstore trusted roots keyless signatures are verified against.</summary>
    public ProvenanceMetrics(IMeterFactory meters, IReadOnlyList<Sigstore.TrustedRoot> roots, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(roots);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        _verifications = meter.CreateCounter<long>("policywebhook.image.verifications", "{verification}", "Images judged against a verification entry, by result: verified, failed or unavailable.");
        _cache = meter.CreateCounter<long>("policywebhook.image.cache.lookups", "{lookup}", "Verification cache lookups, by outcome: hit, joined (shared a round under way) or miss (started a round).");
        _rounds = meter.CreateHistogram<double>(
            "policywebhook.registry.round.duration",
            "s",
            "How long one registry round took (tag resolution, or fetching and verifying signatures and attestations), by outcome.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10] });
        meter.CreateObservableGauge("policywebhook.image.cache.entries", () => (long)(CacheSize?.Invoke().Entries ?? 0), "{entry}", "Results in the verification cache.");
        meter.CreateObservableGauge("policywebhook.image.cache.size", () => CacheSize?.Invoke().Bytes ?? 0, "By", "Estimated bytes of the results in the verification cache.");
        var embeddedRootTaken = DateTimeOffset.Parse(Sigstore.TrustedRoot.ProductionDate + "T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeSeconds();
        meter.CreateObservableGauge(
            "policywebhook.sigstore.embedded.root.timestamp",
            () => embeddedRootTaken,
            "s",
            "When the Sigstore public-good root built into this server was taken (Unix time): its age says when to refresh it.");
        meter.CreateObservableGauge(
            "policywebhook.sigstore.trust.expiry.timestamp",
            () => TrustEnds(roots, time.GetUtcNow()),
            "s",
            "The soonest end (Unix time) of a trusted Fulcio CA, log or timestamp authority window that is open now: keyless signatures made after it no longer verify.");
    }

    // The soonest end among the windows open now, as one measurement; none when every open window has no end.
    private static IEnumerable<Measurement<long>> TrustEnds(IReadOnlyList<Sigstore.TrustedRoot> roots, DateTimeOffset now)
    {
        var windows = roots.SelectMany(r => r.CertificateAuthorities.Select(c => c.ValidFor)
            .Concat(r.TransparencyLogs.Select(l => l.ValidFor))
            .Concat(r.CtLogs.Select(l => l.ValidFor))
            .Concat(r.TimestampAuthorities.Select(t => t.ValidFor)));
        var soonest = windows.Where(w => w.Contains(now) && w.End is not null).Select(w => w.End!.Value).DefaultIfEmpty(DateTimeOffset.MaxValue).Min();
        return soonest == DateTimeOffset.MaxValue ? [] : [new Measurement<long>(soonest.ToUnixTimeSeconds())];
    }

    /// <summary>Reads the cache's size for the gauges; set by the cache that reports here.</summary>
    internal Func<(int Entries, long Bytes)>? CacheSize { get; set; }

    internal void Verified(string result) => _verifications.Add(1, new KeyValuePair<string, object?>("result", result));

    internal void Lookup(string outcome) => _cache.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    internal void Round(string kind, string outcome, TimeSpan elapsed) =>
        _rounds.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("outcome", outcome));

    internal static TimeSpan Since(long start) => Stopwatch.GetElapsedTime(start);
}
