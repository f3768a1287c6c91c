namespace PolicyWebhook.Engine.Matching;

/// <summary>A set of glob patterns in which <c>*</c> stands for any run of characters, such as <c>registry.k8s.io/pause:*</c>.</summary>
public sealed class GlobSet
{
    private readonly string[] _exact;
    private readonly string[][] _patterns;

    public GlobSet(IEnumerable<string> patterns)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        var list = patterns.ToArray();
        _exact = [.. list.Where(p => !p.Contains('*', StringComparison.Ordinal))];
        _patterns = [.. list.Where(p => p.Contains('*', StringComparison.Ordinal)).Select(p => p.Split('*'))];
        Patterns = list;
    }

    public static GlobSet Empty { get; } = new([]);

    public IReadOnlyList<string> Patterns { get; }

    public bool IsEmpty => Patterns.Count == 0;

    public bool Matches(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        foreach (var exact in _exact)
        {
            if (string.Equals(exact, value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        foreach (var parts in _patterns)
        {
            if (MatchesParts(parts, value))
            {
                return true;
            }
        }

        return false;
    }

    private static bool MatchesParts(string[] parts, string value)
    {
        // parts came from splitting on '*': the first must be a prefix, the last a suffix, the rest in order between.
        var first = parts[0];
        var last = parts[^1];
        if (value.Length < first.Length + last.Length
            || !value.StartsWith(first, StringComparison.Ordinal)
            || !value.EndsWith(last, StringComparison.Ordinal))
        {
            return false;
        }

        var position = first.Length;
        var end = value.Length - last.Length;
        for (var i = 1; i < parts.Length - 1; i++)
        {
            var found = value.IndexOf(parts[i], position, end - position, StringComparison.Ordinal);
            if (found < 0)
            {
                return false;
            }

            position = found + parts[i].Length;
        }

        return true;
    }
}
