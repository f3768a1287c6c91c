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
    {
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
    }

    /// <summary>Reads the cache's size for the gauges; set by the cache that reports here.</summary>
    internal Func<(int Entries, long Bytes)>? CacheSize { get; set; }

    internal void Verified(string result) => _verifications.Add(1, new KeyValuePair<string, object?>("result", result));

    internal void Lookup(string outcome) => _cache.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    internal void Round(string kind, string outcome, TimeSpan elapsed) =>
        _rounds.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("outcome", outcome));

    internal static TimeSpan Since(long start) => Stopwatch.GetElapsedTime(start);
}
