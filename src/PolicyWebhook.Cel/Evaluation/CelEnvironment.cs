using PolicyWebhook.Cel.Functions;

namespace PolicyWebhook.Cel.Evaluation;

/// <summary>A function implementation; a member function receives its receiver as args[0]. Returns a value or a <see cref="Values.CelError"/>.</summary>
public delegate object? CelFunction(object?[] args, CostMeter meter);

/// <summary>The functions an expression may call: CEL's standard definitions and the extension libraries, by name and call style.</summary>
public sealed class CelEnvironment
{
    private readonly Dictionary<string, CelFunction> _functions = new(StringComparer.Ordinal);

    /// <summary>The standard definitions, the strings, math and optional extensions, and <c>base64</c>.</summary>
    public static CelEnvironment Default { get; } = CreateDefault();

    public static CelEnvironment CreateDefault()
    {
        var environment = new CelEnvironment();
        OperatorFunctions.Register(environment);
        ConversionFunctions.Register(environment);
        StringFunctions.Register(environment);
        TimeFunctions.Register(environment);
        StringExtensions.Register(environment);
        MathExtensions.Register(environment);
        OptionalFunctions.Register(environment);
        EncoderExtensions.Register(environment);
        NetworkExtensions.Register(environment);
        return environment;
    }

    /// <summary>Adds or replaces a global function (<c>f(x)</c>).</summary>
    public void AddGlobal(string name, CelFunction function) => _functions[name] = function;

    /// <summary>Adds or replaces a member function (<c>x.f()</c>); the receiver comes first in args.</summary>
    public void AddMember(string name, CelFunction function) => _functions["." + name] = function;

    /// <summary>Adds the same function in both call styles (<c>size(x)</c> and <c>x.size()</c>).</summary>
    public void AddBoth(string name, CelFunction function)
    {
        AddGlobal(name, function);
        AddMember(name, function);
    }

    internal CelFunction? Find(string name, bool member) => _functions.GetValueOrDefault(member ? "." + name : name);
}
