namespace PolicyWebhook.Provenance.Registry;

/// <summary>One <c>WWW-Authenticate</c> challenge: its scheme in lower case and its parameters (<c>realm</c>, <c>service</c>, <c>scope</c>).</summary>
internal sealed record AuthChallenge(string Scheme, IReadOnlyDictionary<string, string> Parameters)
{
    /// <summary><c>Bearer realm="https://auth.example/token",service="registry.example"</c>; null when there is no scheme.</summary>
    public static AuthChallenge? Parse(string header)
    {
        var text = header.Trim();
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        var scheme = (space < 0 ? text : text[..space]).ToLowerInvariant();
        if (scheme.Length == 0)
        {
            return null;
        }

        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = space < 0 ? text.Length : space + 1;
        while (i < text.Length)
        {
            while (i < text.Length && (text[i] == ',' || char.IsWhiteSpace(text[i])))
            {
                i++;
            }

            var equals = text.IndexOf('=', i);
            if (equals < 0)
            {
                break;
            }

            var name = text[i..equals].Trim();
            var value = new System.Text.StringBuilder();
            i = equals + 1;
            if (i < text.Length && text[i] == '"')
            {
                // A quoted string: up to the next unescaped quote, with \x standing for x.
                for (i++; i < text.Length && text[i] != '"'; i++)
                {
                    value.Append(text[i] == '\\' && i + 1 < text.Length ? text[++i] : text[i]);
                }

                i++;
            }
            else
            {
                for (; i < text.Length && text[i] != ','; i++)
                {
                    value.Append(text[i]);
                }
            }

            parameters[name] = value.ToString().Trim();
        }

        return new AuthChallenge(scheme, parameters);
    }
}
