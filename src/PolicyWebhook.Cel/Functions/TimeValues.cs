using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using PolicyWebhook.Cel.Values;

namespace PolicyWebhook.Cel.Functions;

/// <summary>Parsing, formatting and range checks of CEL timestamps (RFC 3339, UTC) and durations (Go's "1h2m3.5s" form).</summary>
internal static partial class TimeValues
{
    public static CelDuration ParseDuration(string text)
    {
        var s = text.AsSpan();
        var negative = false;
        if (s.Length > 0 && s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s.SequenceEqual("0"))
        {
            return default;
        }

        if (s.IsEmpty)
        {
            throw new FormatException($"invalid duration '{text}'");
        }

        decimal totalNanos = 0;
        while (!s.IsEmpty)
        {
            var n = 0;
            while (n < s.Length && (char.IsAsciiDigit(s[n]) || s[n] == '.'))
            {
                n++;
            }

            if (n == 0 || !decimal.TryParse(s[..n], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
            {
                throw new FormatException($"invalid duration '{text}'");
            }

            s = s[n..];
            var u = 0;
            while (u < s.Length && !char.IsAsciiDigit(s[u]) && s[u] != '.')
            {
                u++;
            }

            totalNanos += amount * UnitNanos(s[..u].ToString(), text);
            s = s[u..];
        }

        var nanos = decimal.Truncate(negative ? -totalNanos : totalNanos);
        return nanos > long.MaxValue || nanos < long.MinValue ? throw new OverflowException("duration out of range") : new CelDuration((long)nanos);
    }

    private static decimal UnitNanos(string unit, string text) => unit switch
    {
        "ns" => 1m,
        "us" or "µs" or "μs" => 1_000m,
        "ms" => 1_000_000m,
        "s" => 1_000_000_000m,
        "m" => 60_000_000_000m,
        "h" => 3_600_000_000_000m,
        _ => throw new FormatException($"invalid duration '{text}'"),
    };

    public static string FormatDuration(CelDuration value)
    {
        var seconds = value.Nanoseconds / (decimal)CelDuration.NanosPerSecond;
        return seconds.ToString("0.#########", CultureInfo.InvariantCulture) + "s";
    }

    [GeneratedRegex(@"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Rfc3339();

    public static CelTimestamp ParseTimestamp(string text)
    {
        var match = Rfc3339().Match(text);
        if (!match.Success)
        {
            throw new FormatException($"invalid timestamp '{text}'");
        }

        int Part(int i) => int.Parse(match.Groups[i].ValueSpan, CultureInfo.InvariantCulture);
        var zone = match.Groups[8].Value;
        var offset = zone is "Z" or "z" ? TimeSpan.Zero : ParseOffset(zone);
        var local = new DateTimeOffset(Part(1), Part(2), Part(3), Part(4), Part(5), Part(6), TimeSpan.Zero);
        var nanos = match.Groups[7].Success ? int.Parse(match.Groups[7].Value[1..].PadRight(9, '0'), CultureInfo.InvariantCulture) : 0;
        return new CelTimestamp(local.ToUnixTimeSeconds() - (long)offset.TotalSeconds, nanos);
    }

    private static TimeSpan ParseOffset(string zone)
    {
        var sign = zone[0] == '-' ? -1 : 1;
        var hours = int.Parse(zone.AsSpan(1, 2), CultureInfo.InvariantCulture);
        var minutes = int.Parse(zone.AsSpan(4, 2), CultureInfo.InvariantCulture);
        return sign * new TimeSpan(hours, minutes, 0);
    }

    public static string FormatTimestamp(CelTimestamp value)
    {
        var utc = DateTimeOffset.FromUnixTimeSeconds(value.Seconds).UtcDateTime;
        var builder = new StringBuilder(utc.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));
        if (value.Nanos != 0)
        {
            builder.Append('.').Append(value.Nanos.ToString("000000000", CultureInfo.InvariantCulture).TrimEnd('0'));
        }

        return builder.Append('Z').ToString();
    }

    /// <summary>A time zone by IANA name ("America/New_York"), "UTC", or a fixed offset ("+05:30", "-08:00").</summary>
    public static DateTimeOffset InZone(CelTimestamp timestamp, string zone)
    {
        var value = timestamp.ToDateTimeOffset();
        if (zone.Length > 0 && (zone[0] is '+' or '-' || char.IsAsciiDigit(zone[0])) && zone.Contains(':', StringComparison.Ordinal))
        {
            var signed = char.IsAsciiDigit(zone[0]) ? "+" + zone : zone;
            return value.ToOffset(ParseOffset(signed.PadLeft(6, '0')));
        }

        var info = zone == "UTC" ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(zone);
        return TimeZoneInfo.ConvertTime(value, info);
    }
}
