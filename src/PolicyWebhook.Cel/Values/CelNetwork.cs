using System.Net;
using System.Net.Sockets;

namespace PolicyWebhook.Cel.Values;

/// <summary>A CEL <c>net.IP</c> value (Kubernetes' IP library); an IPv4-mapped IPv6 address equals its IPv4 form.</summary>
public sealed class CelIp(IPAddress address, string? text = null) : IEquatable<CelIp>
{
    public IPAddress Address { get; } = address;

    /// <summary>True when the address was written in its one canonical form (lowercase, shortest IPv6).</summary>
    public bool IsCanonical => text is null || text == Address.ToString();

    /// <summary>The address with an IPv4-mapped IPv6 form turned to IPv4, for comparisons.</summary>
    public IPAddress Unmapped => Address.IsIPv4MappedToIPv6 ? Address.MapToIPv4() : Address;

    public int Family => Address.AddressFamily == AddressFamily.InterNetwork ? 4 : 6;

    public bool Equals(CelIp? other) => other is not null && Unmapped.Equals(other.Unmapped);

    public override bool Equals(object? obj) => Equals(obj as CelIp);

    public override int GetHashCode() => Unmapped.GetHashCode();

    public override string ToString() => Address.ToString();
}

/// <summary>A CEL <c>net.CIDR</c> value: an address (as written) and a prefix length.</summary>
public sealed class CelCidr(IPAddress address, int prefixLength) : IEquatable<CelCidr>
{
    public IPAddress Address { get; } = address;

    public int PrefixLength { get; } = prefixLength;

    /// <summary>The network address: the address with the bits past the prefix cleared.</summary>
    public IPAddress Network
    {
        get
        {
            var bytes = Address.GetAddressBytes();
            for (var bit = PrefixLength; bit < bytes.Length * 8; bit++)
            {
                bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
            }

            return new IPAddress(bytes);
        }
    }

    public bool Contains(IPAddress ip)
    {
        var candidate = ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip;
        if (candidate.AddressFamily != Address.AddressFamily)
        {
            return false;
        }

        return new CelCidr(candidate, PrefixLength).Network.Equals(Network);
    }

    public bool Equals(CelCidr? other) => other is not null && other.Address.Equals(Address) && other.PrefixLength == PrefixLength;

    public override bool Equals(object? obj) => Equals(obj as CelCidr);

    public override int GetHashCode() => HashCode.Combine(Address, PrefixLength);

    public override string ToString() => $"{Address}/{PrefixLength}";
}
