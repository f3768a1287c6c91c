using System.Text.RegularExpressions;
using PolicyWebhook.Cel.Evaluation;
using PolicyWebhook.Cel.Values;

namespace PolicyWebhook.Cel.Functions;

/// <summary>Kubernetes' URL library: url(), isURL() and getScheme, getHost, getHostname, getPort, getEscapedPath, getQuery.</summary>
internal static partial class UrlFunctions
{
    public static void Register(CelEnvironment environment)
    {
        environment.AddGlobal("url", (a, _) => a is [string s] ? (object?)Parse(s) ?? new CelError($"URL parse error during conversion from string: {s}") : CelError.NoSuchOverload("url"));
        environment.AddGlobal("isURL", (a, _) => a is [string s] ? CelValues.Box(Parse(s) is not null) : CelError.NoSuchOverload("isURL"));
        Url(environment, "getScheme", u => u.Scheme);
        Url(environment, "getHost", u => u.Host);
        Url(environment, "getHostname", u => Hostname(u.Host));
        Url(environment, "getPort", u => Port(u.Host));
        Url(environment, "getEscapedPath", u => u.Path);
        Url(environment, "getQuery", u => Query(u.Query));
    }

    private static void Url(CelEnvironment environment, string name, Func<CelUrl, object> f) =>
        environment.AddMember(name, (a, _) => a is [CelUrl u] ? f(u) : CelError.NoSuchOverload(name));

    // RFC 3986, appendix B; the URL must be absolute (a scheme) or an absolute path, as Kubernetes requires.
    [GeneratedRegex(@"^(?:([A-Za-z][A-Za-z0-9+.\-]*):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#.*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Rfc3986();

    [GeneratedRegex(@"%(?![0-9A-Fa-f]{2})|[\s\x00-\x1f\x7f]", RegexOptions.CultureInvariant)]
    private static partial Regex Invalid();

    internal static CelUrl? Parse(string text)
    {
        var match = Rfc3986().Match(text);
        if (!match.Success || Invalid().IsMatch(text))
        {
            return null;
        }

        var scheme = match.Groups[1].Value;
        var path = match.Groups[3].Value;
        if (scheme.Length == 0 && !path.StartsWith('/'))
        {
            return null;
        }

        var authority = match.Groups[2].Value;
        var host = authority[(authority.LastIndexOf('@') + 1)..];
        return new CelUrl(text, scheme, host, path, match.Groups[4].Value);
    }

    private static string Hostname(string host)
    {
        if (host.StartsWith('['))
        {
            var end = host.IndexOf(']', StringComparison.Ordinal);
            return end > 0 ? host[1..end] : host;
        }

        var colon = host.LastIndexOf(':');
        return colon >= 0 ? host[..colon] : host;
    }

    private static string Port(string host)
    {
        var colon = host.LastIndexOf(':');
        return colon >= 0 && colon > host.LastIndexOf(']') ? host[(colon + 1)..] : string.Empty;
    }

    private static CelMap Query(string query)
    {
        var values = new Dictionary<string, List<object?>>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString((equals < 0 ? pair : pair[..equals]).Replace('+', ' '));
            var value = equals < 0 ? string.Empty : Uri.UnescapeDataString(pair[(equals + 1)..].Replace('+', ' '));
            if (!values.TryGetValue(key, out var list))
            {
                values[key] = list = [];
                order.Add(key);
            }

            list.Add(value);
        }

        var map = new CelMap(order.Count);
        foreach (var key in order)
        {
            map.TryAdd(key, values[key].ToArray());
        }

        return map;
    }
}
