using System.Collections.Concurrent;
using System.Text;
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
        if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.Number))
        {
            return _library.Read(ref reader, typeToConvert, options);
        }

        // An escape takes at most six bytes for one character, so a longer value is too long for a quantity.
        if (reader.HasValueSequence || reader.ValueSpan.Length > Quantities.MaxTextLength * 6)
        {
            throw TooHard();
        }

        Span<char> text = stackalloc char[Quantities.MaxTextLength * 6];
        text = text[..(reader.TokenType == JsonTokenType.String ? reader.CopyString(text) : Encoding.ASCII.GetChars(reader.ValueSpan, text))];
        if (!Quantities.IsTractable(text))
        {
            throw TooHard();
        }

        if (reader.TokenType != JsonTokenType.String || !IsPlain(text))
        {
            return _library.Read(ref reader, typeToConvert, options);
        }

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

    private static FormatException TooHard() =>
        new($"a quantity has at most {Quantities.MaxTextLength} characters and a decimal exponent of at most {Quantities.MaxExponent}");

    /// <summary>
    /// True for the plain forms worth keeping: up to 18 digits, an optional fraction of up to 9, and an optional
    /// binary or decimal suffix ("250m", "1.5Gi", "100"). Exponent forms are parsed every time, never kept: even
    /// within <see cref="Quantities.MaxExponent"/> they make large numbers, and nobody writes them twice.
    /// </summary>
    internal static bool IsPlain(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty || text.Length > Quantities.MaxTextLength)
        {
            return false;
        }

        var i = 0;
        while (i < text.Length && i < 18 && char.IsAsciiDigit(text[i]))
        {
            i++;
        }

        if (i == 0)
        {
            return false;
        }

        if (i < text.Length && text[i] == '.')
        {
            var start = ++i;
            while (i < text.Length && i - start < 9 && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            if (i == start)
            {
                return false;
            }
        }

        return text[i..] is [] or ['n' or 'u' or 'm' or 'k' or 'M' or 'G' or 'T' or 'P' or 'E'] or ['K' or 'M' or 'G' or 'T' or 'P' or 'E', 'i'];
    }

    public override void Write(Utf8JsonWriter writer, ResourceQuantity value, JsonSerializerOptions options) =>
        _library.Write(writer, value, options);
}
