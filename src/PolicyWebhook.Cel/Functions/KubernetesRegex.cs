using PolicyWebhook.Cel.Evaluation;
using PolicyWebhook.Cel.Values;

namespace PolicyWebhook.Cel.Functions;

/// <summary>Kubernetes' regex library: find (first match or '') and findAll (with an optional limit), on the linear engine.</summary>
internal static class KubernetesRegex
{
    public static void Register(CelEnvironment environment)
    {
        environment.AddMember("find", (a, m) =>
        {
            if (a is not [string s, string pattern])
            {
                return CelError.NoSuchOverload("find");
            }

            m.ChargeSize((long)s.Length * Math.Max(1, pattern.Length / 10));
            var match = Re2Regex.Get(pattern).Match(s);
            return match.Success ? match.Value : string.Empty;
        });
        environment.AddMember("findAll", (a, m) => a switch
        {
            [string s, string pattern] => FindAll(s, pattern, -1, m),
            [string s, string pattern, long limit] => FindAll(s, pattern, limit, m),
            _ => CelError.NoSuchOverload("findAll"),
        });
    }

    private static object[] FindAll(string s, string pattern, long limit, CostMeter meter)
    {
        meter.ChargeSize((long)s.Length * Math.Max(1, pattern.Length / 10));
        var found = new List<object>();
        if (limit == 0)
        {
            return [];
        }

        foreach (var match in Re2Regex.Get(pattern).EnumerateMatches(s))
        {
            found.Add(s.Substring(match.Index, match.Length));
            if (limit > 0 && found.Count >= limit)
            {
                break;
            }
        }

        return [.. found];
    }
}
