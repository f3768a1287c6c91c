namespace PolicyWebhook.Cel.Values;

/// <summary>The CEL value model over plain .NET objects, with CEL's type names, equality and ordering.</summary>
/// <remarks>
/// null, bool, long (int), ulong (uint), double, string, <see cref="CelBytes"/>, <see cref="IReadOnlyList{T}"/> of object (list),
/// <see cref="CelMap"/>, <see cref="CelType"/>, <see cref="CelDuration"/>, <see cref="CelTimestamp"/>,
/// <see cref="CelOptional"/> and <see cref="CelError"/>.
/// </remarks>
public static class CelValues
{
    /// <summary>Not a real order: the two values are numbers and one of them is NaN.</summary>
    public const int Unordered = 2;

    /// <summary>Not comparable: no ordering overload exists for the two kinds.</summary>
    public const int NoOrdering = int.MinValue;

    public static readonly object True = true;
    public static readonly object False = false;

    public static object Box(bool value) => value ? True : False;

    public static CelType? TypeOf(object? value) => value switch
    {
        null => CelType.NullType,
        bool => CelType.BoolType,
        long => CelType.IntType,
        ulong => CelType.UintType,
        double => CelType.DoubleType,
        string => CelType.StringType,
        CelBytes => CelType.BytesType,
        CelMap => CelType.MapType,
        IReadOnlyList<object?> => CelType.ListType,
        CelType => CelType.TypeType,
        CelDuration => CelType.DurationType,
        CelTimestamp => CelType.TimestampType,
        CelOptional => CelType.OptionalType,
        CelIp => CelType.IpType,
        CelCidr => CelType.CidrType,
        CelQuantity => CelType.QuantityType,
        CelUrl => CelType.UrlType,
        CelSemver => CelType.SemverType,
        CelFormat => CelType.FormatType,
        _ => null,
    };

    /// <summary>CEL equality: numbers compare by value across int, uint and double; values of different kinds are unequal.</summary>
    public static bool Equal(object? a, object? b)
    {
        switch (a)
        {
            case null:
                return b is null;
            case long or ulong or double:
                return b is long or ulong or double && CompareNumbers(a, b) == 0;
            case string s:
                return b is string t && string.Equals(s, t, StringComparison.Ordinal);
            case CelMap m:
                return b is CelMap n && MapsEqual(m, n);
            case IReadOnlyList<object?> x:
                return b is IReadOnlyList<object?> y && ListsEqual(x, y);
            case CelOptional o:
                return b is CelOptional p && o.HasValue == p.HasValue && (!o.HasValue || Equal(o.Value, p.Value));
            default:
                return a.Equals(b);
        }
    }

    private static bool ListsEqual(IReadOnlyList<object?> x, IReadOnlyList<object?> y)
    {
        if (x.Count != y.Count)
        {
            return false;
        }

        for (var i = 0; i < x.Count; i++)
        {
            if (!Equal(x[i], y[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool MapsEqual(CelMap m, CelMap n)
    {
        if (m.Count != n.Count)
        {
            return false;
        }

        foreach (var (key, value) in m.Entries)
        {
            if (!n.TryGetValue(key, out var other) || !Equal(value, other))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Orders two values of the same kind, or numbers across kinds: -1, 0, 1, <see cref="Unordered"/> or <see cref="NoOrdering"/>.</summary>
    public static int Compare(object? a, object? b) => (a, b) switch
    {
        (long or ulong or double, long or ulong or double) => CompareNumbers(a, b),
        (bool x, bool y) => x.CompareTo(y),
        (string x, string y) => Math.Sign(CompareCodePoints(x, y)),
        (CelBytes x, CelBytes y) => Math.Sign(x.CompareTo(y)),
        (CelDuration x, CelDuration y) => x.CompareTo(y),
        (CelTimestamp x, CelTimestamp y) => Math.Sign(x.CompareTo(y)),
        _ => NoOrdering,
    };

    // Ordinal UTF-16 order differs from code point order only around surrogates; compare by code point as CEL does.
    private static int CompareCodePoints(string x, string y)
    {
        var n = Math.Min(x.Length, y.Length);
        for (var i = 0; i < n; i++)
        {
            if (x[i] != y[i])
            {
                return Weight(x[i]).CompareTo(Weight(y[i]));
            }
        }

        return x.Length.CompareTo(y.Length);

        static int Weight(char c) => char.IsSurrogate(c) ? c + 0x10000 : c;
    }

    private static int CompareNumbers(object a, object b)
    {
        switch (a, b)
        {
            case (long x, long y):
                return x.CompareTo(y);
            case (ulong x, ulong y):
                return x.CompareTo(y);
            case (long x, ulong y):
                return x < 0 ? -1 : ((ulong)x).CompareTo(y);
            case (ulong x, long y):
                return y < 0 ? 1 : x.CompareTo((ulong)y);
            case (double x, double y):
                return double.IsNaN(x) || double.IsNaN(y) ? Unordered : x.CompareTo(y);
            case (double x, _):
                return double.IsNaN(x) ? Unordered : CompareDoubleToInteger(x, b);
            default:
                var r = CompareNumbers(b, a);
                return r == Unordered ? r : -r;
        }
    }

    // As cel-go does: out-of-range doubles order first or last, others compare with the integer converted to double.
    private static int CompareDoubleToInteger(double x, object integer)
    {
        if (integer is long y)
        {
            return x < -9.2233720368547758E18 ? -1 : x > 9.2233720368547758E18 ? 1 : x.CompareTo((double)y);
        }

        var u = (ulong)integer;
        return x < 0 ? -1 : x > 1.8446744073709552E19 ? 1 : x.CompareTo((double)u);
    }
}
