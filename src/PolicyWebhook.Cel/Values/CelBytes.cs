namespace PolicyWebhook.Cel.Values;

/// <summary>A CEL bytes value: an immutable byte sequence compared by content.</summary>
public sealed class CelBytes(byte[] bytes) : IEquatable<CelBytes>
{
    public static CelBytes Empty { get; } = new([]);

    public ReadOnlyMemory<byte> Memory => bytes;

    public ReadOnlySpan<byte> Span => bytes;

    public int Length => bytes.Length;

    public bool Equals(CelBytes? other) => other is not null && Span.SequenceEqual(other.Span);

    public override bool Equals(object? obj) => Equals(obj as CelBytes);

    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.AddBytes(bytes);
        return hash.ToHashCode();
    }

    public int CompareTo(CelBytes? other) => other is null ? 1 : Span.SequenceCompareTo(other.Span);

    public override string ToString() => "b\"" + Convert.ToBase64String(bytes) + "\"";
}
