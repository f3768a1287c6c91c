using System.Globalization;
using System.Text.RegularExpressions;
using PolicyWebhook.Cel.Evaluation;
using PolicyWebhook.Cel.Values;

namespace PolicyWebhook.Cel.Functions;

/// <summary>Kubernetes' semver library: semver(), isSemver() (optionally normalising 'v1.2' to 1.2.0) and major, minor, patch, compareTo, isLessThan, isGreaterThan.</summary>
internal static partial class SemverFunctions
{
    public static void Register(CelEnvironment environment)
    {
        environment.AddGlobal("semver", (a, _) => a switch
        {
            [string s] => (object?)Parse(s, false) ?? new CelError($"invalid semver: {s}"),
            [string s, bool normalize] => (object?)Parse(s, normalize) ?? new CelError($"invalid semver: {s}"),
            _ => CelError.NoSuchOverload("semver"),
        });
        environment.AddGlobal("isSemver", (a, _) => a switch
        {
            [string s] => CelValues.Box(Parse(s, false) is not null),
            [string s, bool normalize] => CelValues.Box(Parse(s, normalize) is not null),
            _ => CelError.NoSuchOverload("isSemver"),
        });
        environment.AddMember("major", (a, _) => a is [CelSemver v] ? v.Major : CelError.NoSuchOverload("major"));
        environment.AddMember("minor", (a, _) => a is [CelSemver v] ? v.Minor : CelError.NoSuchOverload("minor"));
        environment.AddMember("patch", (a, _) => a is [CelSemver v] ? v.Patch : CelError.NoSuchOverload("patch"));
        environment.AddMember("compareTo", (a, _) => a is [CelSemver x, CelSemver y] ? (long)Compare(x, y) : CelError.NoSuchOverload("compareTo"));
        environment.AddMember("isLessThan", (a, _) => a is [CelSemver x, CelSemver y] ? CelValues.Box(Compare(x, y) < 0) : CelError.NoSuchOverload("isLessThan"));
        environment.AddMember("isGreaterThan", (a, _) => a is [CelSemver x, CelSemver y] ? CelValues.Box(Compare(x, y) > 0) : CelError.NoSuchOverload("isGreaterThan"));
    }

    [GeneratedRegex(@"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$", RegexOptions.CultureInvariant)]
    private static partial Regex Strict();

    [GeneratedRegex(@"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex Loose();

    internal static CelSemver? Parse(string text, bool normalize)
    {
        if (normalize && Loose().Match(text) is { Success: true } loose)
        {
            static string Part(Group g) => g.Success ? g.Value.TrimStart('0').PadLeft(1, '0') : "0";
            text = $"{Part(loose.Groups[1])}.{Part(loose.Groups[2])}.{Part(loose.Groups[3])}{loose.Groups[4].Value}";
        }

        var match = Strict().Match(text);
        if (!match.Success
            || !long.TryParse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture, out var major)
            || !long.TryParse(match.Groups[2].ValueSpan, CultureInfo.InvariantCulture, out var minor)
            || !long.TryParse(match.Groups[3].ValueSpan, CultureInfo.InvariantCulture, out var patch))
        {
            return null;
        }

        return new CelSemver(major, minor, patch, match.Groups[4].Value, match.Groups[5].Value);
    }

    // Semantic Versioning 2.0.0, section 11: numbers, then a pre-release sorts before its release, identifiers compared in turn.
    private static int Compare(CelSemver x, CelSemver y)
    {
        var order = x.Major.CompareTo(y.Major);
        order = order != 0 ? order : x.Minor.CompareTo(y.Minor);
        order = order != 0 ? order : x.Patch.CompareTo(y.Patch);
        if (order != 0 || x.PreRelease == y.PreRelease)
        {
            return Math.Sign(order);
        }

        if (x.PreRelease.Length == 0 || y.PreRelease.Length == 0)
        {
            return x.PreRelease.Length == 0 ? 1 : -1;
        }

        var a = x.PreRelease.Split('.');
        var b = y.PreRelease.Split('.');
        for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            var numeric = (long.TryParse(a[i], CultureInfo.InvariantCulture, out var m), long.TryParse(b[i], CultureInfo.InvariantCulture, out var n));
            var c = numeric switch
            {
                (true, true) => m.CompareTo(n),
                (true, false) => -1,
                (false, true) => 1,
                _ => string.CompareOrdinal(a[i], b[i]),
            };
            if (c != 0)
            {
                return Math.Sign(c);
            }
        }

        return a.Length.CompareTo(b.Length);
    }
}
