using System.Diagnostics;
using PolicyWebhook.Engine;
using PolicyWebhook.Engine.Checks;
using PolicyWebhook.Engine.Evaluation;
using PolicyWebhook.Engine.Images;
using PolicyWebhook.Engine.Workloads;
using PolicyWebhook.Provenance.Caching;
using PolicyWebhook.Provenance.Registry;

namespace PolicyWebhook.Provenance;

/// <summary>
/// Gathers, before evaluation, the facts every image verification entry needs about a pod's images, through a cache:
/// a tag's digest and an entry's facts about a digest are each fetched once per time to live, and concurrent
/// requests for one key share one registry round. A request waits at most its budget; the round goes on for others.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "A SemaphoreSlim whose wait handle is never asked for holds nothing to dispose; the gatherer lives as long as the process.")]
public sealed class ImageFactsGatherer
{
    /// <summary>At most this many (entry, image) pairs are verified for one request; the rest are reported unverified.</summary>
    public const int MaxImagesPerRequest = 64;

    private readonly IImageVerifier _verifier;
    private readonly VerificationCacheOptions _options;
    private readonly TimeProvider _time;
    private readonly ProvenanceMetrics? _metrics;
    private readonly IKeyMaterial? _keys;
    private readonly SingleFlightCache<string> _digests;
    private readonly SingleFlightCache<ImageFacts> _facts;
    private readonly SemaphoreSlim _rounds;

    /// <param name="verifier">Fetches and verifies what the cache lacks.</param>
    /// <param name="options">Its bounds and times to live; the defaults when null.</param>
    /// <param name="time">The clock; the system clock when null.</param>
    /// <param name="metrics">Where lookups, verdicts and rounds are counted; nowhere when null.</param>
    /// <param name="keys">
    /// The key material the verifier reads, whose fingerprints are part of every cache key, so a key replaced in its
    /// Secret or ConfigMap is never vouched for by a verdict made with the old one; null where keys cannot change.
    /// </param>
    public ImageFactsGatherer(IImageVerifier verifier, VerificationCacheOptions? options = null, TimeProvider? time = null, ProvenanceMetrics? metrics = null, IKeyMaterial? keys = null)
    {
        _verifier = verifier ?? throw new ArgumentNullException(nameof(verifier));
        _options = options ?? new VerificationCacheOptions();
        _time = time ?? TimeProvider.System;
        _metrics = metrics;
        _keys = keys;
        // Tags take a tenth of the room: they are short, and a digest's facts are what is costly to fetch again.
        _digests = new SingleFlightCache<string>(Math.Max(1, _options.MaxEntries / 10), Math.Max(1, _options.MaxBytes / 10), _time);
        _facts = new SingleFlightCache<ImageFacts>(_options.MaxEntries, _options.MaxBytes, _time);
        _rounds = new SemaphoreSlim(Math.Max(1, _options.MaxConcurrentRounds));
        if (metrics is not null)
        {
            metrics.CacheSize = () => (_digests.Count + _facts.Count, _digests.Bytes + _facts.Bytes);
        }
    }

    /// <summary>Results held, tag resolutions and facts together.</summary>
    public int CachedEntries => _digests.Count + _facts.Count;

    /// <summary>Drops every cached result: trusted keys or registry credentials changed.</summary>
    public void Clear()
    {
        _digests.Clear();
        _facts.Clear();
    }

    /// <summary>
    /// Which images each entry covers, for the policies that apply to the target: the entry and the image as the pod
    /// names it, once each. Containers a policy excludes by image are left out, as its checks leave them.
    /// </summary>
    public static IReadOnlyList<(ImageVerificationEntry Entry, string Image)> WorkFor(IEnumerable<CompiledPolicy> policies, WorkloadTarget target, EvaluationContext context)
    {
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(context);
        List<(ImageVerificationEntry, string)>? work = null;
        foreach (var policy in policies)
        {
            if (policy.ImageVerification is not { } options || !policy.Applies(target, context))
            {
                continue;
            }

            var pod = new PodView(target.Spec, target.PodMetadata, target.SpecPath, target.MetadataPath, policy.Exclude.Images, target.Kind);
            foreach (var container in pod.Containers)
            {
                if (string.IsNullOrEmpty(container.Image))
                {
                    continue;
                }

                foreach (var entry in options.Entries)
                {
                    if (entry.Covers(container.Image) && !(work ??= []).Contains((entry, container.Image)))
                    {
                        work.Add((entry, container.Image));
                    }
                }
            }
        }

        return work is null ? [] : work;
    }

    /// <summary>
    /// Gathers the facts for each (entry, image), waiting at most <paramref name="budget"/>; an image whose registry
    /// has not answered by then gets facts saying so, which the entry's <c>onError</c> judges.
    /// </summary>
    public Task<GatheredImages> GatherAsync(IReadOnlyList<(ImageVerificationEntry Entry, string Image)> work, TimeSpan budget, CancellationToken cancellationToken) =>
        GatherAsync(work, budget, null, cancellationToken);

    /// <summary>
    /// As the overload above, and tells <paramref name="unexpected"/> (image, exception) of each exception no message
    /// explains, for the caller to log where the developer is told to look. A verdict another request's round reached
    /// was told to that request.
    /// </summary>
    public async Task<GatheredImages> GatherAsync(
        IReadOnlyList<(ImageVerificationEntry Entry, string Image)> work, TimeSpan budget, Action<string, Exception>? unexpected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (work.Count == 0)
        {
            return GatheredImages.None;
        }

        var deadline = _time.GetTimestamp() + (long)(budget.TotalSeconds * _time.TimestampFrequency);
        // A pod naming thousands of images must not make thousands of registry rounds.
        var lookups = new Task<ImageFacts>[work.Count];
        for (var i = 0; i < lookups.Length; i++)
        {
            lookups[i] = i < MaxImagesPerRequest
                ? GatherOneAsync(work[i].Entry, work[i].Image, budget, deadline, unexpected, cancellationToken)
                : Task.FromResult(new ImageFacts(work[i].Image) { Failure = $"the pod names more than {MaxImagesPerRequest} images to verify" });
        }

        // Served from the cache, every lookup has finished already: their results are read without a combined task.
        var results = Array.TrueForAll(lookups, t => t.IsCompletedSuccessfully)
            ? Array.ConvertAll(lookups, t => t.Result)
            : await Task.WhenAll(lookups).ConfigureAwait(false);
        var facts = new Dictionary<(string, string), ImageFacts>(results.Length);
        var verdicts = new Dictionary<string, bool>(StringComparer.Ordinal);
        var now = _time.GetUtcNow();
        for (var i = 0; i < results.Length; i++)
        {
            var (entry, image) = work[i];
            var result = results[i];
            facts[(entry.CacheKey, image)] = result;
            var passes = ImageVerificationCheck.Passes(entry, result, now);
            _metrics?.Verified(passes ? "verified" : result.Unavailable is not null ? "unavailable" : "failed");
            verdicts[image] = passes && verdicts.GetValueOrDefault(image, true);
        }

        var pins = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (image, verified) in verdicts)
        {
            var digest = FirstFor(results, image).Digest;
            ImageReference.TagOf(image, out var hasDigest);
            if (verified && digest is not null && !hasDigest)
            {
                pins[image] = image + "@" + digest;
            }
        }

        return new GatheredImages(facts, pins);
    }

    // The facts of the first (entry, image) naming the image: the digest every entry saw for a tag, resolved once.
    private static ImageFacts FirstFor(ImageFacts[] results, string image)
    {
        foreach (var result in results)
        {
            if (result.Image == image)
            {
                return result;
            }
        }

        throw new InvalidOperationException("every image judged has facts");
    }

    private async Task<ImageFacts> GatherOneAsync(
        ImageVerificationEntry entry, string image, TimeSpan budget, long deadline, Action<string, Exception>? unexpected, CancellationToken cancellationToken)
    {
        var reference = ImageReference.Parse(image);
        try
        {
            var digest = reference.Digest;
            if (digest is null)
            {
                var tagKey = reference.Name + ":" + (reference.Tag ?? "latest");
                digest = await Lookup(_digests, tagKey, () => Round("resolve", reference, ct => _verifier.ResolveDigestAsync(reference, ct)), d => (_options.TagTtl, d.Length * 2))
                    .WaitAsync(Remaining(deadline), _time, cancellationToken).ConfigureAwait(false);
            }

            var key = entry.CacheKey + "|" + KeysFingerprint(entry) + "|" + reference.Name + "@" + digest;
            var facts = await Lookup(_facts, key, () => VerifyRoundAsync(reference, digest, entry, unexpected), f => Keep(entry, f))
                .WaitAsync(Remaining(deadline), _time, cancellationToken).ConfigureAwait(false);
            return facts.Image == image ? facts : facts with { Image = image };
        }
        catch (TimeoutException)
        {
            return new ImageFacts(image) { Unavailable = $"registry {reference.Registry} did not answer within {Duration(budget)}" };
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && Explains(e) is { } why)
        {
            Tell(unexpected, image, e);
            return Failed(new ImageFacts(image), e, why);
        }
    }

    // The fingerprints of the PEM each key of the entry names. The fingerprint is taken before a round reads the PEM,
    // so a round keyed by a fingerprint never verifies with older keys than that fingerprint's.
    private string KeysFingerprint(ImageVerificationEntry entry)
    {
        if (_keys is null)
        {
            return string.Empty;
        }

        var fingerprint = new System.Text.StringBuilder();
        foreach (var source in entry.Keys.Concat(entry.Vulnerabilities?.Keys ?? []).Concat(entry.Provenance?.Keys ?? []))
        {
            fingerprint.Append(_keys.Fingerprint(source)).Append(',');
        }

        return fingerprint.ToString();
    }

    private Task<T> Lookup<T>(SingleFlightCache<T> cache, string key, Func<Task<T>> round, Func<T, (TimeSpan, long)> keep)
        where T : class
    {
        // The outcome is the cache's own word: the task may have finished by now, a round that started and ended at once.
        var task = cache.GetOrRun(key, round, keep, out var found);
        _metrics?.Lookup(found switch { CacheLookup.Hit => "hit", CacheLookup.Joined => "joined", _ => "miss" });
        return task;
    }

    private async Task<ImageFacts> VerifyRoundAsync(ImageReference reference, string digest, ImageVerificationEntry entry, Action<string, Exception>? unexpected)
    {
        try
        {
            var facts = await Round("verify", reference, ct => _verifier.VerifyAsync(reference, digest, entry, ct)).ConfigureAwait(false);
            return facts with { Digest = digest };
        }
        catch (Exception e) when (Explains(e) is { } why)
        {
            Tell(unexpected, reference.ToString(), e);
            // Cached briefly as facts, so a registry that is down is not asked again by every retry.
            return Failed(new ImageFacts(reference.ToString()) { Digest = digest }, e, why);
        }
    }

    // One registry round, bounded by its own timeout rather than the request's: joiners and retries still get its answer.
    private async Task<T> Round<T>(string kind, ImageReference reference, Func<CancellationToken, Task<T>> call)
    {
        using var timeout = new CancellationTokenSource(_options.RoundTimeout, _time);
        var start = Stopwatch.GetTimestamp();
        var entered = false;
        try
        {
            // Waiting for a turn counts against the round's own timeout, as a registry that is slow to answer would.
            await _rounds.WaitAsync(timeout.Token).ConfigureAwait(false);
            entered = true;
            var result = await call(timeout.Token).ConfigureAwait(false);
            _metrics?.Round(kind, "answered", ProvenanceMetrics.Since(start));
            return result;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            _metrics?.Round(kind, "timeout", ProvenanceMetrics.Since(start));
            throw new RegistryUnavailableException($"registry {reference.Registry} did not answer within {Duration(_options.RoundTimeout)}");
        }
        catch
        {
            _metrics?.Round(kind, "error", ProvenanceMetrics.Since(start));
            throw;
        }
        finally
        {
            if (entered)
            {
                _rounds.Release();
            }
        }
    }

    // Facts that satisfy their entry now are kept long; those that do not, briefly (a signature pushed a moment later
    // should count soon). Either way they are judged again at every admission, against the clock of that admission.
    private (TimeSpan, long) Keep(ImageVerificationEntry entry, ImageFacts facts)
    {
        var ttl = facts.Unavailable is not null ? _options.UnavailableTtl
            : ImageVerificationCheck.Passes(entry, facts, _time.GetUtcNow()) ? _options.SuccessTtl
            : _options.FailureTtl;
        return (ttl, Size(facts));
    }

    // Strings dominate; each object adds a header and a few references.
    private static long Size(ImageFacts facts)
    {
        long bytes = 128 + (2L * ((facts.Image?.Length ?? 0) + (facts.Digest?.Length ?? 0) + (facts.Unavailable?.Length ?? 0) + (facts.Failure?.Length ?? 0)));
        bytes += facts.SignedBy.Sum(s => 32L + (2 * s.Length));
        bytes += facts.SignaturesForOtherDigests.Sum(s => 48L + (2 * (s.KeyName.Length + s.Digest.Length)));
        foreach (var attestation in facts.Attestations)
        {
            bytes += 96 + (2L * (attestation.PredicateType.Length + attestation.KeyName.Length + (attestation.BuilderId?.Length ?? 0)));
            bytes += attestation.Scan?.Vulnerabilities.Sum(v => 48L + (2 * v.Id.Length)) ?? 0;
        }

        return bytes;
    }

    private static string Duration(TimeSpan span) =>
        span >= TimeSpan.FromSeconds(1)
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.#} s")
            : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{span.TotalMilliseconds:0} ms");

    private TimeSpan Remaining(long deadline)
    {
        var left = deadline - _time.GetTimestamp();
        return left <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds((double)left / _time.TimestampFrequency);
    }

    // Only a registry that did not answer is "unavailable", which a rule's onError: Allow may admit. Anything else (no
    // such image, a key that cannot be read, content refused, an unexpected error) is a failure that always denies:
    // otherwise a tag pushed after admission, or a key Secret left unmounted, would be a way around verification.
    private static ImageFacts Failed(ImageFacts facts, Exception e, string why) =>
        e is RegistryUnavailableException ? facts with { Unavailable = why } : facts with { Failure = why };

    private static void Tell(Action<string, Exception>? unexpected, string image, Exception e)
    {
        if (unexpected is not null && IsUnexpected(e))
        {
            unexpected(image, e);
        }
    }

    private static bool IsUnexpected(Exception e) =>
        e is not (RegistryUnavailableException or RegistryContentException or KeyMaterialException or ImageNotFoundException or OperationCanceledException);

    // What a developer is told when no verdict could be reached; the message names the registry, never a credential.
    private static string? Explains(Exception e) => e switch
    {
        OperationCanceledException => null,
        _ when IsUnexpected(e) => $"verification failed unexpectedly ({e.GetType().Name}); the webhook's log has the details",
        _ => e.Message,
    };
}
