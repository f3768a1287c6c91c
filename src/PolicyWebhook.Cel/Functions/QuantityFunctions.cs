using System.Globalization;
using System.Text.RegularExpressions;
using PolicyWebhook.Cel.Evaluation;
using PolicyWebhook.Cel.Values;

namespace PolicyWebhook.Cel.Functions;

/// <summary>Kubernetes' quantity library: quantity(), isQuantity() and compareTo, add, sub, isLessThan, isGreaterThan, sign, isInteger, asInteger, asApproximateFloat.</summary>
internal static partial class QuantityFunctions
{
    public static void Register(CelEnvironment environment)
    {
        environment.AddGlobal("quantity", (a, _) => a is [string s] ? (object?)Parse(s) ?? new CelError($"quantities must match the regular expression: '{s}'") : CelError.NoSuchOverload("quantity"));
        environment.AddGlobal("isQuantity", (a, _) => a is [string s] ? CelValues.Box(Parse(s) is not null) : CelError.NoSuchOverload("isQuantity"));
        environment.AddMember("compareTo", (a, _) => a is [CelQuantity x, CelQuantity y] ? (long)x.Value.CompareTo(y.Value) : CelError.NoSuchOverload("compareTo"));
        environment.AddMember("isLessThan", (a, _) => a is [CelQuantity x, CelQuantity y] ? CelValues.Box(x.Value < y.Value) : CelError.NoSuchOverload("isLessThan"));
        environment.AddMember("isGreaterThan", (a, _) => a is [CelQuantity x, CelQuantity y] ? CelValues.Box(x.Value > y.Value) : CelError.NoSuchOverload("isGreaterThan"));
        environment.AddMember("add", (a, _) => a switch
        {
            [CelQuantity x, CelQuantity y] => new CelQuantity(x.Value + y.Value),
            [CelQuantity x, long y] => new CelQuantity(x.Value + y),
            _ => CelError.NoSuchOverload("add"),
        });
        environment.AddMember("sub", (a, _) => a switch
        {
            [CelQuantity x, CelQuantity y] => new CelQuantity(x.Value - y.Value),
            [CelQuantity x, long y] => new CelQuantity(x.Value - y),
            _ => CelError.NoSuchOverload("sub"),
        });
        environment.AddMember("sign", (a, _) => a is [CelQuantity x] ? (long)Math.Sign(x.Value) : CelError.NoSuchOverload("sign"));
        environment.AddMember("isInteger", (a, _) => a is [CelQuantity x] ? CelValues.Box(IsInteger(x.Value)) : CelError.NoSuchOverload("isInteger"));
        environment.AddMember("asInteger", (a, _) => a is [CelQuantity x]
            ? IsInteger(x.Value) ? (long)x.Value : new CelError("cannot convert value to integer")
            : CelError.NoSuchOverload("asInteger"));
        environment.AddMember("asApproximateFloat", (a, _) => a is [CelQuantity x] ? (double)x.Value : CelError.NoSuchOverload("asApproximateFloat"));
    }

    private static bool IsInteger(decimal value) => decimal.Truncate(value) == value && value is >= long.MinValue and <= long.MaxValue;

    [GeneratedRegex(@"^([+-]?(?:\d+\.?\d*|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Syntax();

    private const int CacheLimit = 1024;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, CelQuantity?> Cache = new(StringComparer.Ordinal);

    /// <summary>A Kubernetes quantity string (<c>128974848</c>, <c>129e6</c>, <c>129M</c>, <c>123Mi</c>, <c>500m</c>), or null; recent results are cached.</summary>
    internal static CelQuantity? Parse(string text)
    {
        if (Cache.TryGetValue(text, out var cached))
        {
            return cached;
        }

        if (Cache.Count >= CacheLimit)
        {
            Cache.Clear();
        }

        return Cache[text] = ParseUncached(text);
    }

    private static CelQuantity? ParseUncached(string text)
    {
        var match = Syntax().Match(text);
        if (!match.Success || !decimal.TryParse(match.Groups[1].Value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return null;
        }

        var suffix = match.Groups[2].Value;
        try
        {
            return new CelQuantity(suffix switch
            {
                "" => number,
                "Ki" => number * 1024m,
                "Mi" => number * 1048576m,
                "Gi" => number * 1073741824m,
                "Ti" => number * 1099511627776m,
                "Pi" => number * 1125899906842624m,
                "Ei" => number * 1152921504606846976m,
                "n" => number / 1_000_000_000m,
                "u" => number / 1_000_000m,
                "m" => number / 1_000m,
                "k" => number * 1e3m,
                "M" => number * 1e6m,
                "G" => number * 1e9m,
                "T" => number * 1e12m,
                "P" => number * 1e15m,
                "E" => number * 1e18m,
                _ => number * Power(int.Parse(suffix.AsSpan(1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)),
            });
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    private static decimal Power(int exponent)
    {
        if (Math.Abs(exponent) > 28)
        {
            throw new OverflowException();
        }

        var result = 1m;
        for (var i = 0; i < Math.Abs(exponent); i++)
        {
            result *= 10m;
        }

        return exponent < 0 ? 1m / result : result;
    }
}
