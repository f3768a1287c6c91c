namespace PolicyWebhook.Cel.Values;

/// <summary>An evaluation error carried as a value, so that <c>&amp;&amp;</c>, <c>||</c> and the macros can absorb it as CEL requires.</summary>
public sealed class CelError(string message)
{
    public string Message { get; } = message;

    public static CelError NoSuchOverload(string function) => new($"no such overload: {function}");

    public override string ToString() => Message;
}
