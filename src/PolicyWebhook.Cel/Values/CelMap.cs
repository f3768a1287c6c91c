namespace PolicyWebhook.Cel.Values;

/// <summary>A CEL map: entries keep their order; keys are bool, int, uint or string, and numeric keys match across int, uint and double.</summary>
public sealed class CelMap
{
    private readonly List<KeyValuePair<object, object?>> _entries;
    private readonly Dictionary<object, int> _index;

    public CelMap(int capacity = 0)
    {
        _entries = new(capacity);
        _index = new(capacity);
    }

    public static CelMap Empty { get; } = new();

    public int Count => _entries.Count;

    public IReadOnlyList<KeyValuePair<object, object?>> Entries => _entries;

    /// <summary>Adds an entry; false when the key is already there (a literal with duplicate keys is an error in CEL).</summary>
    public bool TryAdd(object key, object? value)
    {
        var normal = Normalize(key) ?? throw new ArgumentException("unsupported map key type", nameof(key));
        if (!_index.TryAdd(normal, _entries.Count))
        {
            return false;
        }

        _entries.Add(new(key, value));
        return true;
    }

    public bool TryGetValue(object? key, out object? value)
    {
        if (key is not null && Normalize(key) is { } normal && _index.TryGetValue(normal, out var at))
        {
            value = _entries[at].Value;
            return true;
        }

        value = null;
        return false;
    }

    public bool ContainsKey(object? key) => TryGetValue(key, out _);

    /// <summary>True for the kinds of value CEL allows as map keys.</summary>
    public static bool IsValidKey(object? key) => key is bool or long or ulong or string;

    // Numeric keys compare by value: 1, 1u and 1.0 find the same entry.
    private static object? Normalize(object key) => key switch
    {
        long or string or bool => key,
        ulong u => u <= long.MaxValue ? (long)u : key,
        double d when d == Math.Floor(d) && d >= -9.2233720368547758E18 && d < 9.2233720368547758E18 => (long)d,
        double d when d == Math.Floor(d) && d >= 0 && d < 1.8446744073709552E19 => (ulong)d,
        _ => null,
    };
}
