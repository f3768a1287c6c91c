using System.Globalization;
using System.Text;

namespace PolicyWebhook.Cel.Functions;

/// <summary>Formats doubles as Go's %g does (shortest digits; exponent form below 1e-4 or from 1e21), which is what CEL's string(double) prints.</summary>
internal static class GoFormat
{
    public static string Double(double d)
    {
        if (double.IsNaN(d))
        {
            return "NaN";
        }

        if (double.IsInfinity(d))
        {
            return d > 0 ? "+Inf" : "-Inf";
        }

        if (d == 0)
        {
            return double.IsNegative(d) ? "-0" : "0";
        }

        // "E16" is not shortest; "R" is, but in either positional or exponent form: normalise to digits and a decimal exponent.
        var r = Math.Abs(d).ToString("R", CultureInfo.InvariantCulture);
        var exponentAt = r.IndexOf('E', StringComparison.Ordinal);
        var exponent = exponentAt >= 0 ? int.Parse(r.AsSpan(exponentAt + 1), CultureInfo.InvariantCulture) : 0;
        var mantissa = exponentAt >= 0 ? r[..exponentAt] : r;
        var point = mantissa.IndexOf('.', StringComparison.Ordinal);
        var digits = mantissa.Replace(".", string.Empty, StringComparison.Ordinal);
        var decimalPoint = (point >= 0 ? point : mantissa.Length) + exponent;
        var leading = digits.Length - digits.TrimStart('0').Length;
        digits = digits.Trim('0');
        decimalPoint -= leading;
        if (digits.Length == 0)
        {
            digits = "0";
        }

        var x = decimalPoint - 1;
        var eprec = Math.Max(digits.Length, 21);
        var builder = new StringBuilder();
        if (d < 0)
        {
            builder.Append('-');
        }

        if (x < -4 || x >= eprec)
        {
            builder.Append(digits[0]);
            if (digits.Length > 1)
            {
                builder.Append('.').Append(digits, 1, digits.Length - 1);
            }

            builder.Append('e').Append(x < 0 ? '-' : '+').Append(Math.Abs(x).ToString("00", CultureInfo.InvariantCulture));
        }
        else if (decimalPoint <= 0)
        {
            builder.Append("0.").Append('0', -decimalPoint).Append(digits);
        }
        else if (decimalPoint >= digits.Length)
        {
            builder.Append(digits).Append('0', decimalPoint - digits.Length);
        }
        else
        {
            builder.Append(digits, 0, decimalPoint).Append('.').Append(digits, decimalPoint, digits.Length - decimalPoint);
        }

        return builder.ToString();
    }
}
