using PolicyWebhook.Cel.Evaluation;
using PolicyWebhook.Cel.Values;

namespace PolicyWebhook.Cel.Functions;

/// <summary>CEL's standard string functions: contains, startsWith, endsWith and matches (RE2, unanchored).</summary>
internal static class StringFunctions
{
    public static void Register(CelEnvironment environment)
    {
        environment.AddMember("contains", (a, m) => Test(a, m, "contains", (s, t) => s.Contains(t, StringComparison.Ordinal)));
        environment.AddMember("startsWith", (a, m) => Test(a, m, "startsWith", (s, t) => s.StartsWith(t, StringComparison.Ordinal)));
        environment.AddMember("endsWith", (a, m) => Test(a, m, "endsWith", (s, t) => s.EndsWith(t, StringComparison.Ordinal)));
        environment.AddBoth("matches", (a, m) => Test(a, m, "matches", (s, pattern) => Re2Regex.Get(pattern).IsMatch(s)));
    }

    private static object Test(object?[] args, CostMeter meter, string name, Func<string, string, bool> test)
    {
        if (args is not [string s, string t])
        {
            return CelError.NoSuchOverload(name);
        }

        meter.ChargeSize(s.Length + t.Length);
        return CelValues.Box(test(s, t));
    }
}
