namespace PolicyWebhook.Cel.Values;

/// <summary>A CEL optional value: <c>optional.of(x)</c> or <c>optional.none()</c>.</summary>
public sealed class CelOptional
{
    private CelOptional(bool hasValue, object? value)
    {
        HasValue = hasValue;
        Value = value;
    }

    public static CelOptional None { get; } = new(false, null);

    public bool HasValue { get; }

    public object? Value { get; }

    public static CelOptional Of(object? value) => new(true, value);
}
