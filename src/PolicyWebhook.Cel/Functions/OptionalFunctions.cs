using PolicyWebhook.Cel.Evaluation;
using PolicyWebhook.Cel.Values;

namespace PolicyWebhook.Cel.Functions;

/// <summary>Optional values: optional.of, optional.none, optional.ofNonZeroValue, hasValue, value, orValue, or, optMap, optFlatMap.</summary>
internal static class OptionalFunctions
{
    public static void Register(CelEnvironment environment)
    {
        environment.AddGlobal("optional.of", (a, _) => a is [var v] ? CelOptional.Of(v) : CelError.NoSuchOverload("optional.of"));
        environment.AddGlobal("optional.none", (a, _) => a is [] ? CelOptional.None : CelError.NoSuchOverload("optional.none"));
        environment.AddGlobal("optional.ofNonZeroValue", (a, _) => a is [var v] ? (IsZero(v) ? CelOptional.None : CelOptional.Of(v)) : CelError.NoSuchOverload("optional.ofNonZeroValue"));
        environment.AddMember("hasValue", (a, _) => a is [CelOptional o] ? CelValues.Box(o.HasValue) : CelError.NoSuchOverload("hasValue"));
        environment.AddMember("value", (a, _) => a is [CelOptional o]
            ? o.HasValue ? o.Value : new CelError("optional.none() dereference")
            : CelError.NoSuchOverload("value"));
        environment.AddMember("orValue", (a, _) => a is [CelOptional o, var other] ? (o.HasValue ? o.Value : other) : CelError.NoSuchOverload("orValue"));
        environment.AddMember("or", (a, _) => a is [CelOptional o, CelOptional other] ? (o.HasValue ? o : other) : CelError.NoSuchOverload("or"));
    }

    private static bool IsZero(object? value) => value switch
    {
        null => true,
        bool b => !b,
        long l => l == 0,
        ulong u => u == 0,
        double d => d == 0,
        string s => s.Length == 0,
        CelBytes b => b.Length == 0,
        IReadOnlyList<object?> l => l.Count == 0,
        CelMap m => m.Count == 0,
        CelDuration t => t.Nanoseconds == 0,
        CelTimestamp t => t == default,
        _ => false,
    };
}
