using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace PolicyWebhook.Cel.Functions;

/// <summary>RE2 patterns run on .NET's non-backtracking engine, so matching stays linear in the input; compiled patterns are cached.</summary>
internal static class Re2Regex
{
    private const int CacheLimit = 512;
    private static readonly ConcurrentDictionary<string, Regex> Cache = new(StringComparer.Ordinal);

    /// <summary>The compiled pattern; throws <see cref="ArgumentException"/> for a pattern .NET cannot run without backtracking.</summary>
    public static Regex Get(string pattern)
    {
        if (Cache.TryGetValue(pattern, out var cached))
        {
            return cached;
        }

        var regex = new Regex(Translate(pattern), RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
        if (Cache.Count >= CacheLimit)
        {
            Cache.Clear();
        }

        Cache[pattern] = regex;
        return regex;
    }

    // RE2's named group (?P<name>...) is .NET's (?<name>...); RE2's \z is .NET's \z; \Q...\E and POSIX classes are left to fail.
    private static string Translate(string pattern) => pattern.Replace("(?P<", "(?<", StringComparison.Ordinal);
}
