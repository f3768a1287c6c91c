using System.Globalization;
using System.Text;
using PolicyWebhook.Cel.Evaluation;

namespace PolicyWebhook.Cel.Functions;

/// <summary>strings.quote: a CEL string literal, double-quoted, with control characters escaped.</summary>
internal static class StringQuoting
{
    public static string Quote(string s, CostMeter meter)
    {
        meter.ChargeSize(s.Length);
        var builder = new StringBuilder(s.Length + 2).Append('"');
        foreach (var rune in s.EnumerateRunes())
        {
            _ = rune.Value switch
            {
                7 => builder.Append("\\a"),
                8 => builder.Append("\\b"),
                12 => builder.Append("\\f"),
                10 => builder.Append("\\n"),
                13 => builder.Append("\\r"),
                9 => builder.Append("\\t"),
                11 => builder.Append("\\v"),
                '\\' => builder.Append("\\\\"),
                '"' => builder.Append("\\\""),
                < 0x20 or 0x7f => builder.Append("\\x").Append(rune.Value.ToString("x2", CultureInfo.InvariantCulture)),
                0xFFFD => builder.Append('\uFFFD'),
                _ => builder.Append(rune.ToString()),
            };
        }

        return builder.Append('"').ToString();
    }
}
