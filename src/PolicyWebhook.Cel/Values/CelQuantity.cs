namespace PolicyWebhook.Cel.Values;

/// <summary>A Kubernetes resource quantity (<c>quantity('1.5Gi')</c>), held as an exact decimal; equal quantities compare equal whatever their suffix.</summary>
public sealed class CelQuantity(decimal value) : IEquatable<CelQuantity>
{
    public decimal Value { get; } = value;

    public bool Equals(CelQuantity? other) => other is not null && other.Value == Value;

    public override bool Equals(object? obj) => Equals(obj as CelQuantity);

    public override int GetHashCode() => Value.GetHashCode();

    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
