using System.Globalization;
using System.Numerics;
using System.Text;
using PolicyWebhook.Cel.Evaluation;
using PolicyWebhook.Cel.Values;

namespace PolicyWebhook.Cel.Functions;

/// <summary>The strings extension's format: %s, %d, %f, %e, %x, %X, %o, %b and %%, with an optional precision (%.3f).</summary>
internal static class StringFormatter
{
    public static object Format(string format, IReadOnlyList<object?> args, CostMeter meter)
    {
        meter.ChargeSize(format.Length);
        var output = new StringBuilder();
        var next = 0;
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%')
            {
                output.Append(format[i]);
                continue;
            }

            if (++i >= format.Length)
            {
                return new CelError("format: unterminated clause");
            }

            if (format[i] == '%')
            {
                output.Append('%');
                continue;
            }

            int? precision = null;
            if (format[i] == '.')
            {
                var start = ++i;
                while (i < format.Length && char.IsAsciiDigit(format[i]))
                {
                    i++;
                }

                precision = int.Parse(format.AsSpan(start, i - start), CultureInfo.InvariantCulture);
                if (i >= format.Length)
                {
                    return new CelError("format: unterminated clause");
                }
            }

            if (next >= args.Count)
            {
                return new CelError($"index {next} out of range");
            }

            var clause = Clause(format[i], precision, args[next++]);
            if (clause is CelError)
            {
                return clause;
            }

            output.Append((string)clause);
        }

        meter.ChargeSize(output.Length);
        return output.ToString();
    }

    private static object Clause(char verb, int? precision, object? arg) => verb switch
    {
        's' => Text(arg),
        'd' => arg switch
        {
            long or ulong => Convert.ToString(arg, CultureInfo.InvariantCulture)!,
            double d when !double.IsFinite(d) => Special(d),
            _ => new CelError("format: decimal clause can only be used on integers"),
        },
        'f' => Number(arg) is { } f ? Fixed(f, precision ?? 6) : new CelError("format: fixed-point clause can only be used on numbers"),
        'e' => Number(arg) is { } e ? Scientific(e, precision ?? 6) : new CelError("format: scientific clause can only be used on numbers"),
        'x' or 'X' => Hex(arg) is { } hex ? (verb == 'X' ? hex.ToUpperInvariant() : hex) : new CelError("format: hex clause cannot be used on this type"),
        'o' => arg switch
        {
            long l => l < 0 ? "-" + Convert.ToString(-l, 8) : Convert.ToString(l, 8),
            ulong u => Radix(u, 8),
            _ => new CelError("format: octal clause can only be used on integers"),
        },
        'b' => arg switch
        {
            long l => l < 0 ? "-" + Radix((ulong)-l, 2) : Radix((ulong)l, 2),
            ulong u => Radix(u, 2),
            bool b => b ? "1" : "0",
            _ => new CelError("format: binary clause can only be used on integers and bools"),
        },
        _ => new CelError($"could not parse formatting clause: unrecognized formatting clause \"{verb}\""),
    };

    private static double? Number(object? arg) => arg switch
    {
        double d => d,
        long l => l,
        ulong u => u,
        _ => null,
    };

    private static string Special(double d) => double.IsNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity";

    private static string Radix(ulong value, int radix)
    {
        if (value == 0)
        {
            return "0";
        }

        var digits = new StringBuilder();
        for (; value > 0; value /= (ulong)radix)
        {
            digits.Insert(0, (char)('0' + (int)(value % (ulong)radix)));
        }

        return digits.ToString();
    }

    private static string? Hex(object? arg) => arg switch
    {
        long l => l < 0 ? "-" + (-(BigInteger)l).ToString("x", CultureInfo.InvariantCulture).TrimStart('0') : l.ToString("x", CultureInfo.InvariantCulture),
        ulong u => u.ToString("x", CultureInfo.InvariantCulture),
        string s => Convert.ToHexStringLower(Encoding.UTF8.GetBytes(s)),
        CelBytes b => Convert.ToHexStringLower(b.Span),
        _ => null,
    };

    // Rounds half to even on the exact decimal expansion, as Go's %f does.
    private static string Fixed(double d, int precision)
    {
        if (!double.IsFinite(d))
        {
            return Special(d);
        }

        var exact = Math.Abs(d).ToString("F" + (precision + 1100), CultureInfo.InvariantCulture);
        var point = exact.IndexOf('.', StringComparison.Ordinal);
        var kept = exact[..(point + 1 + precision)].TrimEnd('.');
        var rest = exact[(point + 1 + precision)..];
        var roundUp = rest[0] > '5' || (rest[0] == '5' && (rest.AsSpan(1).ContainsAnyExcept('0') || IsOdd(kept)));
        var digits = BigInteger.Parse(kept.Replace(".", string.Empty, StringComparison.Ordinal), CultureInfo.InvariantCulture) + (roundUp ? 1 : 0);
        var text = digits.ToString(CultureInfo.InvariantCulture).PadLeft(precision + 1, '0');
        if (precision > 0)
        {
            text = text[..^precision] + "." + text[^precision..];
        }

        return (double.IsNegative(d) ? "-" : string.Empty) + text;

        static bool IsOdd(string kept) => (kept[^1] - '0') % 2 == 1;
    }

    private static string Scientific(double d, int precision)
    {
        if (!double.IsFinite(d))
        {
            return Special(d);
        }

        var text = d.ToString("E" + precision, CultureInfo.InvariantCulture);
        var e = text.IndexOf('E', StringComparison.Ordinal);
        var exponent = int.Parse(text.AsSpan(e + 1), CultureInfo.InvariantCulture);
        return text[..e] + "e" + (exponent < 0 ? "-" : "+") + Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture);
    }

    private static string Text(object? arg) => arg switch
    {
        null => "null",
        string s => s,
        bool b => b ? "true" : "false",
        double d => double.IsFinite(d) ? GoFormat.Double(d) : Special(d),
        CelBytes b => Encoding.UTF8.GetString(b.Span),
        IReadOnlyList<object?> list => "[" + string.Join(", ", list.Select(Text)) + "]",
        CelMap map => "{" + string.Join(", ", map.Entries.Select(e => Text(e.Key) + ": " + Text(e.Value)).Order(StringComparer.Ordinal)) + "}",
        CelType type => type.Name,
        CelTimestamp t => TimeValues.FormatTimestamp(t),
        CelDuration t => TimeValues.FormatDuration(t),
        _ => Convert.ToString(arg, CultureInfo.InvariantCulture) ?? string.Empty,
    };
}
