namespace PolicyWebhook.Cel.Values;

/// <summary>A CEL type value, such as the result of <c>type(1)</c> (which is <c>int</c>); compared by name.</summary>
public sealed class CelType : IEquatable<CelType>
{
    private static readonly Dictionary<string, CelType> ByName = new(StringComparer.Ordinal);

    private CelType(string name) => Name = name;

    public static CelType NullType { get; } = Register("null_type");

    public static CelType BoolType { get; } = Register("bool");

    public static CelType IntType { get; } = Register("int");

    public static CelType UintType { get; } = Register("uint");

    public static CelType DoubleType { get; } = Register("double");

    public static CelType StringType { get; } = Register("string");

    public static CelType BytesType { get; } = Register("bytes");

    public static CelType ListType { get; } = Register("list");

    public static CelType MapType { get; } = Register("map");

    public static CelType TypeType { get; } = Register("type");

    public static CelType TimestampType { get; } = Register("google.protobuf.Timestamp");

    public static CelType DurationType { get; } = Register("google.protobuf.Duration");

    public static CelType OptionalType { get; } = Register("optional_type");

    public static CelType IpType { get; } = Register("net.IP");

    public static CelType CidrType { get; } = Register("net.CIDR");

    public static CelType QuantityType { get; } = Register("kubernetes.Quantity");

    public static CelType UrlType { get; } = Register("kubernetes.URL");

    public static CelType SemverType { get; } = Register("kubernetes.Semver");

    public static CelType FormatType { get; } = Register("kubernetes.NamedFormat");

    public string Name { get; }

    /// <summary>The built-in type a name denotes (<c>int</c>, <c>google.protobuf.Duration</c>...), or null.</summary>
    public static CelType? Find(string name) => ByName.GetValueOrDefault(name);

    public bool Equals(CelType? other) => other is not null && other.Name == Name;

    public override bool Equals(object? obj) => Equals(obj as CelType);

    public override int GetHashCode() => Name.GetHashCode(StringComparison.Ordinal);

    public override string ToString() => Name;

    private static CelType Register(string name)
    {
        var type = new CelType(name);
        ByName[name] = type;
        return type;
    }
}
