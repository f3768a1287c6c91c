using PolicyWebhook.Cel.Functions;

namespace PolicyWebhook.Cel.Evaluation;

/// <summary>A function implementation; a member function receives its receiver as args[0]. Returns a value or a <see cref="Values.CelError"/>.</summary>
public delegate object? CelFunction(object?[] args, CostMeter meter);

/// <summary>The functions an expression may call: CEL's standard definitions and the extension libraries, by name and call style.</summary>
public sealed class CelEnvironment
{
    private readonly Dictionary<string, CelFunction> _globals = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CelFunction> _members = new(StringComparer.Ordinal);

    /// <summary>
    /// The standard definitions and macros; cel-go's strings, math, optional, encoders and network extensions; Kubernetes' list, regex,
    /// quantity, URL, semver, format, IP and CIDR libraries.
    /// </summary>
    /// <remarks>Shared and read-only: to add functions, start from <see cref="CreateDefault"/>.</remarks>
    public static CelEnvironment Default { get; } = CreateDefault().Freeze();

    private bool _frozen;

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
        KubernetesLists.Register(environment);
        KubernetesRegex.Register(environment);
        QuantityFunctions.Register(environment);
        UrlFunctions.Register(environment);
        SemverFunctions.Register(environment);
        FormatLibrary.Register(environment);
        return environment;
    }

    /// <summary>Adds a global function (<c>f(x)</c>); one already there is tried when the new one has no overload for the arguments.</summary>
    public void AddGlobal(string name, CelFunction function) => Add(_globals, name, function);

    /// <summary>Adds a member function (<c>x.f()</c>), receiver first in args; overloads chain as for <see cref="AddGlobal"/>.</summary>
    public void AddMember(string name, CelFunction function) => Add(_members, name, function);

    private CelEnvironment Freeze()
    {
        _frozen = true;
        return this;
    }

    private void Add(Dictionary<string, CelFunction> functions, string key, CelFunction function)
    {
        if (_frozen)
        {
            throw new InvalidOperationException("the default CEL environment is shared and read-only; add functions to one from CreateDefault()");
        }

        if (functions.TryGetValue(key, out var existing))
        {
            functions[key] = (args, meter) =>
            {
                var result = function(args, meter);
                return result is Values.CelError { IsNoSuchOverload: true } ? existing(args, meter) : result;
            };
            return;
        }

        functions[key] = function;
    }

    /// <summary>Adds the same function in both call styles (<c>size(x)</c> and <c>x.size()</c>).</summary>
    public void AddBoth(string name, CelFunction function)
    {
        AddGlobal(name, function);
        AddMember(name, function);
    }

    internal CelFunction? Find(string name, bool member) => (member ? _members : _globals).GetValueOrDefault(name);
}
