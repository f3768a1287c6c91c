using System.Globalization;
using System.Text;
using PolicyWebhook.Cel.Evaluation;
using PolicyWebhook.Cel.Values;

namespace PolicyWebhook.Cel.Functions;

/// <summary>Type conversions: int(), uint(), double(), string(), bytes(), bool(), dyn(), type(), duration() and timestamp().</summary>
internal static class ConversionFunctions
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    public static void Register(CelEnvironment environment)
    {
        environment.AddGlobal("int", (a, _) => Single(a, "int", ToInt));
        environment.AddGlobal("uint", (a, _) => Single(a, "uint", ToUint));
        environment.AddGlobal("double", (a, _) => Single(a, "double", ToDouble));
        environment.AddGlobal("string", (a, _) => Single(a, "string", ToText));
        environment.AddGlobal("bytes", (a, _) => Single(a, "bytes", v => v switch
        {
            CelBytes b => b,
            string s => new CelBytes(Encoding.UTF8.GetBytes(s)),
            _ => null,
        }));
        environment.AddGlobal("bool", (a, _) => Single(a, "bool", ToBool));
        environment.AddGlobal("dyn", (a, _) => a.Length == 1 ? a[0] : CelError.NoSuchOverload("dyn"));
        environment.AddGlobal("type", (a, _) => Single(a, "type", CelValues.TypeOf));
        environment.AddGlobal("duration", (a, _) => Single(a, "duration", v => v switch
        {
            CelDuration d => d,
            string s => TimeValues.ParseDuration(s),
            _ => null,
        }));
        environment.AddGlobal("timestamp", (a, _) => Single(a, "timestamp", v => v switch
        {
            CelTimestamp t => t,
            string s => TimeValues.ParseTimestamp(s),
            long seconds => new CelTimestamp(seconds, 0),
            _ => null,
        }));
    }

    private static object Single(object?[] args, string name, Func<object?, object?> convert) =>
        args.Length == 1 && convert(args[0]) is { } result ? result : CelError.NoSuchOverload(name);

    private static object? ToInt(object? value) => value switch
    {
        long l => l,
        ulong u => checked((long)u),
        double d => double.IsNaN(d) || d <= -9.2233720368547758E18 || d >= 9.2233720368547758E18
            ? new CelError("range error converting double to int")
            : (long)d,
        string s => long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)
            ? l
            : new CelError($"cannot convert '{s}' to int"),
        CelTimestamp t => t.Seconds,
        CelDuration d => d.Nanoseconds,
        _ => null,
    };

    private static object? ToUint(object? value) => value switch
    {
        ulong u => u,
        long l => checked((ulong)l),
        double d => double.IsNaN(d) || d < 0 || d >= 1.8446744073709552E19 ? new CelError("range error converting double to uint") : (ulong)d,
        string s => ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var u)
            ? u
            : new CelError($"cannot convert '{s}' to uint"),
        _ => null,
    };

    private static object? ToDouble(object? value) => value switch
    {
        double d => d,
        long l => (double)l,
        ulong u => (double)u,
        string s => ParseDouble(s) is { } d ? d : new CelError($"cannot convert '{s}' to double"),
        _ => null,
    };

    private static double? ParseDouble(string s)
    {
        var lower = s.ToLowerInvariant().TrimStart('+');
        switch (lower)
        {
            case "nan":
                return double.NaN;
            case "inf" or "infinity":
                return double.PositiveInfinity;
            case "-inf" or "-infinity":
                return double.NegativeInfinity;
        }

        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;
    }

    private static object? ToText(object? value) => value switch
    {
        string s => s,
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        ulong u => u.ToString(CultureInfo.InvariantCulture),
        double d => GoFormat.Double(d),
        CelBytes b => DecodeUtf8(b),
        CelTimestamp t => TimeValues.FormatTimestamp(t),
        CelDuration d => TimeValues.FormatDuration(d),
        CelIp or CelCidr => value.ToString(),
        _ => null,
    };

    private static object DecodeUtf8(CelBytes bytes)
    {
        try
        {
            return StrictUtf8.GetString(bytes.Span);
        }
        catch (DecoderFallbackException)
        {
            return new CelError("invalid UTF-8 in bytes, cannot convert to string");
        }
    }

    private static object? ToBool(object? value) => value switch
    {
        bool b => b,
        string s => s switch
        {
            "1" or "t" or "T" or "TRUE" or "true" or "True" => CelValues.True,
            "0" or "f" or "F" or "FALSE" or "false" or "False" => CelValues.False,
            _ => new CelError($"cannot convert '{s}' to bool"),
        },
        _ => null,
    };
}
