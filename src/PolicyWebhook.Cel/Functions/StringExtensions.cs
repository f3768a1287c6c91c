using System.Text;
using PolicyWebhook.Cel.Evaluation;
using PolicyWebhook.Cel.Values;

namespace PolicyWebhook.Cel.Functions;

/// <summary>The cel-go strings extension (charAt, indexOf, lastIndexOf, lowerAscii, upperAscii, replace, split, substring, trim, join, reverse, strings.quote); indices count code points.</summary>
internal static class StringExtensions
{
    public static void Register(CelEnvironment environment)
    {
        environment.AddMember("charAt", (a, m) => a is [string s, long i] ? CharAt(Runes(s, m), i) : CelError.NoSuchOverload("charAt"));
        environment.AddMember("indexOf", (a, m) => a switch
        {
            [string s, string t] => IndexOf(Runes(s, m), Runes(t, m), 0),
            [string s, string t, long from] => IndexOf(Runes(s, m), Runes(t, m), from),
            _ => CelError.NoSuchOverload("indexOf"),
        });
        environment.AddMember("lastIndexOf", (a, m) => a switch
        {
            [string s, string t] => LastIndexOf(Runes(s, m), Runes(t, m), null),
            [string s, string t, long from] => LastIndexOf(Runes(s, m), Runes(t, m), from),
            _ => CelError.NoSuchOverload("lastIndexOf"),
        });
        environment.AddMember("lowerAscii", (a, m) => a is [string s] ? MapAscii(s, m, char.ToLowerInvariant) : CelError.NoSuchOverload("lowerAscii"));
        environment.AddMember("upperAscii", (a, m) => a is [string s] ? MapAscii(s, m, char.ToUpperInvariant) : CelError.NoSuchOverload("upperAscii"));
        environment.AddMember("replace", (a, m) => a switch
        {
            [string s, string from, string to] => Replace(s, from, to, -1, m),
            [string s, string from, string to, long n] => Replace(s, from, to, n, m),
            _ => CelError.NoSuchOverload("replace"),
        });
        environment.AddMember("split", (a, m) => a switch
        {
            [string s, string separator] => Split(s, separator, -1, m),
            [string s, string separator, long n] => Split(s, separator, n, m),
            _ => CelError.NoSuchOverload("split"),
        });
        environment.AddMember("substring", (a, m) => a switch
        {
            [string s, long start] => Substring(Runes(s, m), start, null),
            [string s, long start, long end] => Substring(Runes(s, m), start, end),
            _ => CelError.NoSuchOverload("substring"),
        });
        environment.AddMember("trim", (a, m) => a is [string s] ? Trim(s, m) : CelError.NoSuchOverload("trim"));
        environment.AddMember("join", (a, m) => a switch
        {
            [IReadOnlyList<object?> list] => Join(list, string.Empty, m),
            [IReadOnlyList<object?> list, string separator] => Join(list, separator, m),
            _ => CelError.NoSuchOverload("join"),
        });
        environment.AddMember("reverse", (a, m) => a is [string s] ? Text(Runes(s, m).AsEnumerable().Reverse()) : CelError.NoSuchOverload("reverse"));
        environment.AddGlobal("strings.quote", (a, m) => a is [string s] ? StringQuoting.Quote(s, m) : CelError.NoSuchOverload("strings.quote"));
        environment.AddMember("format", (a, m) => a is [string s, IReadOnlyList<object?> args] ? StringFormatter.Format(s, args, m) : CelError.NoSuchOverload("format"));
    }

    internal static Rune[] Runes(string s, CostMeter meter)
    {
        meter.ChargeSize(s.Length);
        return [.. s.EnumerateRunes()];
    }

    private static string Text(IEnumerable<Rune> runes)
    {
        var builder = new StringBuilder();
        foreach (var rune in runes)
        {
            builder.Append(rune.ToString());
        }

        return builder.ToString();
    }

    private static object CharAt(Rune[] s, long i) =>
        i < 0 || i > s.Length ? new CelError($"index out of range: {i}") : i == s.Length ? string.Empty : s[i].ToString();

    private static object IndexOf(Rune[] s, Rune[] t, long from)
    {
        if (from < 0 || from > s.Length)
        {
            return new CelError($"index out of range: {from}");
        }

        for (var i = (int)from; i + t.Length <= s.Length; i++)
        {
            if (s.AsSpan(i, t.Length).SequenceEqual(t))
            {
                return (long)i;
            }
        }

        return -1L;
    }

    private static object LastIndexOf(Rune[] s, Rune[] t, long? from)
    {
        var start = from ?? s.Length;
        if (start < 0 || start > s.Length)
        {
            return new CelError($"index out of range: {start}");
        }

        for (var i = (int)Math.Min(start, s.Length - t.Length); i >= 0; i--)
        {
            if (s.AsSpan(i, t.Length).SequenceEqual(t))
            {
                return (long)i;
            }
        }

        return -1L;
    }

    private static string MapAscii(string s, CostMeter meter, Func<char, char> map)
    {
        meter.ChargeSize(s.Length);
        return string.Create(s.Length, s, (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsAscii(source[i]) ? map(source[i]) : source[i];
            }
        });
    }

    private static string Replace(string s, string from, string to, long limit, CostMeter meter)
    {
        // Charged for the longest result the replacement can build, before building it.
        var replacements = from.Length == 0 ? s.Length + 1L : s.Length / from.Length;
        meter.ChargeSize(s.Length + (Math.Min(replacements, limit < 0 ? long.MaxValue : limit) * to.Length));
        if (limit < 0)
        {
            return from.Length == 0 ? Text(Interleave(s, to)) : s.Replace(from, to, StringComparison.Ordinal);
        }

        var builder = new StringBuilder();
        var at = 0;
        for (var n = 0; n < limit; n++)
        {
            var found = s.IndexOf(from, at, StringComparison.Ordinal);
            if (found < 0)
            {
                break;
            }

            builder.Append(s, at, found - at).Append(to);
            at = found + from.Length;
        }

        return builder.Append(s, at, s.Length - at).ToString();
    }

    private static IEnumerable<Rune> Interleave(string s, string insert)
    {
        var inserted = insert.EnumerateRunes().ToArray();
        foreach (var rune in s.EnumerateRunes())
        {
            foreach (var r in inserted)
            {
                yield return r;
            }

            yield return rune;
        }

        foreach (var r in inserted)
        {
            yield return r;
        }
    }

    private static object[] Split(string s, string separator, long limit, CostMeter meter)
    {
        meter.ChargeSize(s.Length);
        if (limit == 0)
        {
            return [];
        }

        if (separator.Length == 0)
        {
            var runes = s.EnumerateRunes().Select(r => r.ToString()).ToList();
            if (limit > 0 && runes.Count > limit)
            {
                runes[(int)limit - 1] = string.Concat(runes.Skip((int)limit - 1));
                runes.RemoveRange((int)limit, runes.Count - (int)limit);
            }

            return [.. runes];
        }

        return limit < 0
            ? s.Split(separator, StringSplitOptions.None)
            : s.Split(separator, (int)Math.Min(limit, int.MaxValue), StringSplitOptions.None);
    }

    private static object Substring(Rune[] s, long start, long? end)
    {
        var stop = end ?? s.Length;
        if (start < 0 || start > s.Length || stop < start || stop > s.Length)
        {
            return new CelError($"index out of range: {start}, {stop}");
        }

        return Text(s[(int)start..(int)stop]);
    }

    private static string Trim(string s, CostMeter meter)
    {
        meter.ChargeSize(s.Length);
        return s.Trim(
        [
            ' ', '\t', '\n', '\v', '\f', '\r', '\u0085', '\u00a0', '\u1680', '\u2000', '\u2001', '\u2002', '\u2003', '\u2004',
            '\u2005', '\u2006', '\u2007', '\u2008', '\u2009', '\u200a', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000',
        ]);
    }

    private static object Join(IReadOnlyList<object?> list, string separator, CostMeter meter)
    {
        var parts = new string[list.Count];
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is not string s)
            {
                return CelError.NoSuchOverload("join");
            }

            parts[i] = s;
        }

        var joined = string.Join(separator, parts);
        meter.ChargeSize(joined.Length);
        return joined;
    }
}
