using System.Globalization;
using System.Text.RegularExpressions;
using PolicyWebhook.Cel.Evaluation;
using PolicyWebhook.Cel.Values;

namespace PolicyWebhook.Cel.Functions;

/// <summary>Kubernetes' format library: format.named(name), format.dns1123Label() and the other named formats, and Format.validate(string).</summary>
internal static partial class FormatLibrary
{
    private const string Label = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private const string Subdomain = Label + "(\\." + Label + ")*";
    private const string Dns1035 = "[a-z]([-a-z0-9]*[a-z0-9])?";
    private const string Qualified = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";

    private static readonly Dictionary<string, Func<string, List<string>>> Validators = new(StringComparer.Ordinal)
    {
        ["dns1123Label"] = s => Name(s, 63, LabelRegex(), "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '" + Label + "')"),
        ["dns1123Subdomain"] = s => Name(s, 253, SubdomainRegex(), "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '" + Subdomain + "')"),
        ["dns1035Label"] = s => Name(s, 63, Dns1035Regex(), "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '" + Dns1035 + "')"),
        ["qualifiedName"] = QualifiedName,
        ["labelValue"] = s => s.Length == 0 ? [] : Name(s, 63, QualifiedRegex(), "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(" + Qualified + ")?')"),
        ["uri"] = s => UrlFunctions.Parse(s) is null ? ["invalid URI"] : [],
        ["uuid"] = s => Guid.TryParseExact(s, "D", out _) ? [] : ["does not match the UUID format"],
        ["byte"] = s => s.Length % 4 == 0 && Convert.TryFromBase64String(s, new byte[s.Length], out _) ? [] : ["invalid base64"],
        ["date"] = s => DateTime.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _) ? [] : ["invalid date"],
        ["datetime"] = s => IsTimestamp(s) ? [] : ["invalid datetime"],
    };

    public static void Register(CelEnvironment environment)
    {
        foreach (var name in new[] { "dns1123Label", "dns1123Subdomain", "dns1035Label" })
        {
            Validators[name + "Prefix"] = s => Validators[name](s.Length > 1 && s.EndsWith('-') ? s[..^1] + "a" : s);
        }

        foreach (var name in Validators.Keys)
        {
            environment.AddGlobal("format." + name, (a, _) => a is [] ? new CelFormat(name) : CelError.NoSuchOverload("format." + name));
        }

        environment.AddGlobal("format.named", (a, _) => a is [string name]
            ? Validators.ContainsKey(name) ? CelOptional.Of(new CelFormat(name)) : CelOptional.None
            : CelError.NoSuchOverload("format.named"));
        environment.AddMember("validate", (a, m) =>
        {
            if (a is not [CelFormat format, string s])
            {
                return CelError.NoSuchOverload("validate");
            }

            m.ChargeSize(s.Length);
            var errors = Validators[format.Name](s);
            return errors.Count == 0 ? CelOptional.None : CelOptional.Of(errors.Cast<object?>().ToArray());
        });
    }

    private static List<string> Name(string s, int max, Regex regex, string message)
    {
        var errors = new List<string>();
        if (s.Length > max)
        {
            errors.Add($"must be no more than {max} characters");
        }

        if (!regex.IsMatch(s))
        {
            errors.Add(message);
        }

        return errors;
    }

    private static List<string> QualifiedName(string s)
    {
        var slash = s.Split('/');
        if (slash.Length > 2)
        {
            return ["a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '" + Qualified + "') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"];
        }

        var errors = new List<string>();
        if (slash.Length == 2)
        {
            errors.AddRange(slash[0].Length == 0 ? ["prefix part must be non-empty"] : Validators["dns1123Subdomain"](slash[0]).Select(e => "prefix part " + e));
        }

        var name = slash[^1];
        errors.AddRange(name.Length == 0
            ? ["name part must be non-empty"]
            : Name(name, 63, QualifiedRegex(), "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '" + Qualified + "')"));
        return errors;
    }

    private static bool IsTimestamp(string s)
    {
        try
        {
            TimeValues.ParseTimestamp(s);
            return true;
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            return false;
        }
    }

    [GeneratedRegex("^" + Label + "$", RegexOptions.CultureInvariant)]
    private static partial Regex LabelRegex();

    [GeneratedRegex("^" + Subdomain + "$", RegexOptions.CultureInvariant)]
    private static partial Regex SubdomainRegex();

    [GeneratedRegex("^" + Dns1035 + "$", RegexOptions.CultureInvariant)]
    private static partial Regex Dns1035Regex();

    [GeneratedRegex("^" + Qualified + "$", RegexOptions.CultureInvariant)]
    private static partial Regex QualifiedRegex();
}
