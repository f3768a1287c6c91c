using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using k8s.Models;

namespace PolicyWebhook.Engine.Workloads;

/// <summary>
/// Reads resource quantities ("250m", "128Mi") as the client library does, but parses each distinct text once. The
/// library parses every quantity into an exact fraction with big integers, about 0.3 µs each and a quarter of the
/// time it takes to decode a pod; the same few dozen texts recur in nearly every pod a cluster admits. A
/// <see cref="ResourceQuantity"/> has no way to change it once made, so one instance can serve every pod.
/// </summary>
internal sealed class QuantityCache : JsonConverter<ResourceQuantity>
{
    /// <summary>Texts longer than this are parsed every time: real quantities are short, and the cache stays small.</summary>
    /// <remarks>Only plain forms are kept (<see cref="IsPlain"/>), so an entry is at most a few hundred bytes.</remarks>
    internal const int MaxTextLength = 32;

    /// <summary>At most this many distinct texts are kept; once full, new texts are parsed every time.</summary>
    internal const int MaxEntries = 4096;

    private readonly ConcurrentDictionary<string, ResourceQuantity> _parsed = new(StringComparer.Ordinal);
    private readonly JsonConverter<ResourceQuantity> _library;
    private int _count;

    /// <param name="library">The library's own converter, for what is not a plain short string (numbers, null).</param>
    public QuantityCache(JsonConverter<ResourceQuantity> library) => _library = library;

    /// <summary>How many texts are kept (for tests).</summary>
    internal int Count => Volatile.Read(ref _count);

    public override ResourceQuantity? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped || reader.HasValueSequence || !IsPlain(reader.ValueSpan))
        {
            return _library.Read(ref reader, typeToConvert, options);
        }

        Span<char> text = stackalloc char[MaxTextLength];
        text = text[..reader.CopyString(text)];
        if (_parsed.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(text, out var known))
        {
            return known;
        }

        var parsed = _library.Read(ref reader, typeToConvert, options);
        if (parsed is not null && Volatile.Read(ref _count) < MaxEntries && Interlocked.Increment(ref _count) <= MaxEntries)
        {
            if (!_parsed.TryAdd(new string(text), parsed))
            {
                Interlocked.Decrement(ref _count);
            }
        }

        return parsed;
    }

    /// <summary>
    /// True for the plain forms worth keeping: up to 18 digits, an optional fraction of up to 9, and an optional
    /// binary or decimal suffix ("250m", "1.5Gi", "100"). Exponent forms are left out: "1e999999" is eight characters
    /// that parse into a number of hundreds of kilobytes, which must not stay in memory for the life of the process.
    /// </summary>
    internal static bool IsPlain(ReadOnlySpan<byte> text)
    {
        if (text.IsEmpty || text.Length > MaxTextLength)
        {
            return false;
        }

        var i = 0;
        while (i < text.Length && i < 18 && char.IsAsciiDigit((char)text[i]))
        {
            i++;
        }

        if (i == 0)
        {
            return false;
        }

        if (i < text.Length && text[i] == (byte)'.')
        {
            var start = ++i;
            while (i < text.Length && i - start < 9 && char.IsAsciiDigit((char)text[i]))
            {
                i++;
            }

            if (i == start)
            {
                return false;
            }
        }

        return text[i..] is [] or [(byte)'n' or (byte)'u' or (byte)'m' or (byte)'k' or (byte)'M' or (byte)'G' or (byte)'T' or (byte)'P' or (byte)'E']
            or [(byte)'K' or (byte)'M' or (byte)'G' or (byte)'T' or (byte)'P' or (byte)'E', (byte)'i'];
    }

    public override void Write(Utf8JsonWriter writer, ResourceQuantity value, JsonSerializerOptions options) =>
        _library.Write(writer, value, options);
}
