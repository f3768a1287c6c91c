namespace PolicyWebhook.Provenance.Caching;

/// <summary>How much the verification cache holds and for how long; bound from <c>ImageVerification:Cache</c>.</summary>
public sealed class VerificationCacheOptions
{
    /// <summary>At most this many results (verifications and tag resolutions together).</summary>
    public int MaxEntries { get; set; } = 10_000;

    /// <summary>At most this many bytes of results, as estimated from their strings.</summary>
    public long MaxBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>How long facts that satisfy their entry are kept (an image deployed 15,000 times a day is verified once per TTL).</summary>
    public TimeSpan SuccessTtl { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long facts that do not satisfy their entry are kept: short, so a signature pushed a moment later counts soon.</summary>
    public TimeSpan FailureTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a registry that gave no answer is remembered: a storm of retries makes one round, not one each.</summary>
    public TimeSpan UnavailableTtl { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a tag's digest is kept: a tag may move, a digest never does.</summary>
    public TimeSpan TagTtl { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The longest one registry round may take. A round does not end when the request that started it gives up: it
    /// finishes for the requests that joined it and for the API server's retry.
    /// </summary>
    public TimeSpan RoundTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// At most this many registry rounds at once, across all requests: each may hold a few capped blobs in memory, so
    /// a burst of pods naming many new images waits (within its budget) instead of growing the webhook past its limit.
    /// </summary>
    public int MaxConcurrentRounds { get; set; } = 16;
}
