using System.Collections.Concurrent;

namespace PolicyWebhook.Provenance.Caching;

/// <summary>
/// A bounded cache (entries and bytes) with a time to live per entry, where concurrent requests for one missing key
/// share one round: the first starts it, the rest await the same task. A round that throws is not cached.
/// </summary>
internal sealed class SingleFlightCache<TValue>(int maxEntries, long maxBytes, TimeProvider time)
    where TValue : class
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task<TValue>> _rounds = new(StringComparer.Ordinal);
    private readonly Lock _evicting = new();
    private long _bytes;

    public int Count => _entries.Count;

    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>The value when cached and not expired.</summary>
    public bool TryGet(string key, out TValue value)
    {
        var now = time.GetTimestamp();
        if (_entries.TryGetValue(key, out var entry) && entry.ExpiresAt > now)
        {
            entry.LastUsed = now;
            value = entry.Value;
            return true;
        }

        value = null!;
        return false;
    }

    /// <summary>
    /// The cached value, or the task of the round under way for the key, or a new round. <paramref name="keep"/> says
    /// for how long a result is kept (zero: not at all) and its estimated size. <paramref name="found"/> says which of
    /// the three it was, decided here: a round that finishes at once is still a miss.
    /// </summary>
    public Task<TValue> GetOrRun(string key, Func<Task<TValue>> round, Func<TValue, (TimeSpan Ttl, long Bytes)> keep, out CacheLookup found)
    {
        if (TryGet(key, out var cached))
        {
            found = CacheLookup.Hit;
            return Task.FromResult(cached);
        }

        var owner = new TaskCompletionSource<TValue>(TaskCreationOptions.RunContinuationsAsynchronously);
        var task = _rounds.GetOrAdd(key, owner.Task);
        if (task != owner.Task)
        {
            found = CacheLookup.Joined;
            return task;
        }

        found = CacheLookup.Miss;
        _ = RunAsync(key, owner, round, keep);
        return owner.Task;
    }

    public void Clear()
    {
        _entries.Clear();
        Interlocked.Exchange(ref _bytes, 0);
    }

    private async Task RunAsync(string key, TaskCompletionSource<TValue> owner, Func<Task<TValue>> round, Func<TValue, (TimeSpan Ttl, long Bytes)> keep)
    {
        try
        {
            // A round that finished between the lookup and this one's start is not repeated.
            var value = TryGet(key, out var cached) ? cached : await round().ConfigureAwait(false);
            var (ttl, bytes) = keep(value);
            if (ttl > TimeSpan.Zero)
            {
                Store(key, value, ttl, bytes);
            }

            owner.SetResult(value);
        }
        catch (Exception e)
        {
            owner.SetException(e);
        }
        finally
        {
            _rounds.TryRemove(new KeyValuePair<string, Task<TValue>>(key, owner.Task));
        }
    }

    private void Store(string key, TValue value, TimeSpan ttl, long bytes)
    {
        var now = time.GetTimestamp();
        var entry = new Entry(value, bytes + (key.Length * 2) + 64, now + (long)(ttl.TotalSeconds * time.TimestampFrequency)) { LastUsed = now };
        _entries.AddOrUpdate(
            key,
            _ =>
            {
                Interlocked.Add(ref _bytes, entry.Bytes);
                return entry;
            },
            (_, old) =>
            {
                Interlocked.Add(ref _bytes, entry.Bytes - old.Bytes);
                return entry;
            });
        if (_entries.Count > maxEntries || Bytes > maxBytes)
        {
            Evict(now);
        }
    }

    // Expired entries go first, then the least recently used, down to 90% of both bounds, so eviction is rare.
    private void Evict(long now)
    {
        if (!_evicting.TryEnter())
        {
            return;
        }

        try
        {
            var victims = _entries.ToArray()
                .OrderBy(e => e.Value.ExpiresAt > now ? 1 : 0)
                .ThenBy(e => e.Value.LastUsed);
            var entryTarget = maxEntries * 9 / 10;
            var byteTarget = maxBytes * 9 / 10;
            foreach (var victim in victims)
            {
                if (_entries.Count <= entryTarget && Bytes <= byteTarget)
                {
                    break;
                }

                if (_entries.TryRemove(victim))
                {
                    Interlocked.Add(ref _bytes, -victim.Value.Bytes);
                }
            }
        }
        finally
        {
            _evicting.Exit();
        }
    }

    private sealed class Entry(TValue value, long bytes, long expiresAt)
    {
        public TValue Value { get; } = value;

        public long Bytes { get; } = bytes;

        public long ExpiresAt { get; } = expiresAt;

        public long LastUsed { get; set; }
    }
}

/// <summary>What a cache lookup found: the value, a round under way to share, or nothing (it started a round).</summary>
internal enum CacheLookup
{
    Hit,
    Joined,
    Miss,
}
