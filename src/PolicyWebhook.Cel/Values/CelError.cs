namespace PolicyWebhook.Cel.Values;

/// <summary>An evaluation error carried as a value, so that <c>&amp;&amp;</c>, <c>||</c> and the macros can absorb it as CEL requires.</summary>
public sealed class CelError(string message)
{
    public string Message { get; } = message;

    /// <summary>True when no overload took the arguments, so that another library's function of the same name may.</summary>
    public bool IsNoSuchOverload { get; private init; }

    public static CelError NoSuchOverload(string function) => new($"no such overload: {function}") { IsNoSuchOverload = true };

    public override string ToString() => Message;
}
