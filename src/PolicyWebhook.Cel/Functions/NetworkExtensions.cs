using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using PolicyWebhook.Cel.Evaluation;
using PolicyWebhook.Cel.Values;

namespace PolicyWebhook.Cel.Functions;

/// <summary>The IP and CIDR libraries: ip(), cidr(), isIP(), isCIDR(), ip.isCanonical() and the member functions on net.IP and net.CIDR.</summary>
internal static partial class NetworkExtensions
{
    public static void Register(CelEnvironment environment)
    {
        environment.AddGlobal("ip", (a, _) => a is [string s] ? ParseIp(s) is { } ip ? new CelIp(ip, s) : new CelError($"IP Address '{s}' parse error") : CelError.NoSuchOverload("ip"));
        environment.AddGlobal("cidr", (a, _) => a is [string s] ? ParseCidr(s) ?? (object)new CelError($"network address parse error during conversion from string: '{s}'") : CelError.NoSuchOverload("cidr"));
        environment.AddGlobal("isIP", (a, _) => a is [string s] ? CelValues.Box(ParseIp(s) is not null) : CelError.NoSuchOverload("isIP"));
        environment.AddGlobal("isCIDR", (a, _) => a is [string s] ? CelValues.Box(ParseCidr(s) is not null) : CelError.NoSuchOverload("isCIDR"));
        environment.AddGlobal("ip.isCanonical", (a, _) => a is [string s]
            ? ParseIp(s) is { } ip ? CelValues.Box(ip.ToString() == s) : new CelError($"IP Address '{s}' parse error")
            : CelError.NoSuchOverload("ip.isCanonical"));
        Ip(environment, "family", ip => (long)ip.Family);
        Ip(environment, "isCanonical", ip => CelValues.Box(ip.IsCanonical));
        Ip(environment, "isUnspecified", ip => CelValues.Box(ip.Unmapped.Equals(IPAddress.Any) || ip.Unmapped.Equals(IPAddress.IPv6Any)));
        Ip(environment, "isLoopback", ip => CelValues.Box(IPAddress.IsLoopback(ip.Unmapped)));
        Ip(environment, "isLinkLocalMulticast", ip => CelValues.Box(InRange(ip.Unmapped, "224.0.0.0", 24) || InRange(ip.Unmapped, "ff02::", 16)));
        Ip(environment, "isLinkLocalUnicast", ip => CelValues.Box(InRange(ip.Unmapped, "169.254.0.0", 16) || InRange(ip.Unmapped, "fe80::", 10)));
        Ip(environment, "isGlobalUnicast", ip => CelValues.Box(IsGlobalUnicast(ip.Unmapped)));
        environment.AddMember("containsIP", (a, _) => a switch
        {
            [CelCidr c, CelIp ip] => CelValues.Box(c.Contains(ip.Address)),
            [CelCidr c, string s] => ParseIp(s) is { } ip ? CelValues.Box(c.Contains(ip)) : new CelError($"IP Address '{s}' parse error"),
            _ => CelError.NoSuchOverload("containsIP"),
        });
        environment.AddMember("containsCIDR", (a, _) => a switch
        {
            [CelCidr c, CelCidr other] => CelValues.Box(ContainsCidr(c, other)),
            [CelCidr c, string s] => ParseCidr(s) is { } other ? CelValues.Box(ContainsCidr(c, other)) : new CelError($"network address parse error: '{s}'"),
            _ => CelError.NoSuchOverload("containsCIDR"),
        });
        environment.AddMember("ip", (a, _) => a is [CelCidr c] ? new CelIp(c.Address) : CelError.NoSuchOverload("ip"));
        environment.AddMember("masked", (a, _) => a is [CelCidr c] ? new CelCidr(c.Network, c.PrefixLength) : CelError.NoSuchOverload("masked"));
        environment.AddMember("prefixLength", (a, _) => a is [CelCidr c] ? (long)c.PrefixLength : CelError.NoSuchOverload("prefixLength"));
    }

    private static void Ip(CelEnvironment environment, string name, Func<CelIp, object> f) =>
        environment.AddMember(name, (a, _) => a is [CelIp ip] ? f(ip) : CelError.NoSuchOverload(name));

    [GeneratedRegex(@"^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$", RegexOptions.CultureInvariant)]
    private static partial Regex DottedQuad();

    // Strict forms only: four decimal octets without leading zeros, or IPv6 without a zone or an embedded dotted quad.
    internal static IPAddress? ParseIp(string s)
    {
        if (s.Contains(':', StringComparison.Ordinal))
        {
            return s.Contains('.', StringComparison.Ordinal) || s.Contains('%', StringComparison.Ordinal)
                || !IPAddress.TryParse(s, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6
                ? null
                : v6;
        }

        return DottedQuad().IsMatch(s) && IPAddress.TryParse(s, out var v4) ? v4 : null;
    }

    internal static CelCidr? ParseCidr(string s)
    {
        var slash = s.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || ParseIp(s[..slash]) is not { } ip)
        {
            return null;
        }

        var bits = ip.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var text = s[(slash + 1)..];
        return text.Length is > 0 and <= 3 && text.All(char.IsAsciiDigit) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var length) && length <= bits
            && (text.Length == 1 || text[0] != '0')
            ? new CelCidr(ip, length)
            : null;
    }

    private static bool ContainsCidr(CelCidr outer, CelCidr inner) =>
        inner.PrefixLength >= outer.PrefixLength && outer.Contains(inner.Address);

    private static bool InRange(IPAddress ip, string network, int prefix) => new CelCidr(IPAddress.Parse(network), prefix).Contains(ip);

    private static bool IsGlobalUnicast(IPAddress ip) =>
        !ip.Equals(IPAddress.Any) && !ip.Equals(IPAddress.IPv6Any) && !IPAddress.IsLoopback(ip) && !ip.Equals(IPAddress.Broadcast)
        && !InRange(ip, "224.0.0.0", 4) && !InRange(ip, "ff00::", 8)
        && !InRange(ip, "169.254.0.0", 16) && !InRange(ip, "fe80::", 10);
}
