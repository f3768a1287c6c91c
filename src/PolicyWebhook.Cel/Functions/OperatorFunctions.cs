using PolicyWebhook.Cel.Evaluation;
using PolicyWebhook.Cel.Syntax;
using PolicyWebhook.Cel.Values;

namespace PolicyWebhook.Cel.Functions;

/// <summary>CEL's operators other than the short-circuit ones: equality, ordering, membership, indexing, negation and size.</summary>
internal static class OperatorFunctions
{
    public static void Register(CelEnvironment environment)
    {
        environment.AddGlobal(Operators.Equal, (a, _) => CelValues.Box(CelValues.Equal(a[0], a[1])));
        environment.AddGlobal(Operators.NotEqual, (a, _) => CelValues.Box(!CelValues.Equal(a[0], a[1])));
        environment.AddGlobal(Operators.Less, (a, _) => Order(a, "_<_", c => c < 0));
        environment.AddGlobal(Operators.LessEquals, (a, _) => Order(a, "_<=_", c => c <= 0));
        environment.AddGlobal(Operators.Greater, (a, _) => Order(a, "_>_", c => c > 0));
        environment.AddGlobal(Operators.GreaterEquals, (a, _) => Order(a, "_>=_", c => c >= 0));
        environment.AddGlobal(Operators.In, In);
        environment.AddGlobal(Operators.Index, (a, _) => Index(a[0], a[1]));
        environment.AddGlobal(Operators.OptionalIndex, (a, _) => OptionalIndex(a[0], a[1]));
        environment.AddGlobal(Operators.LogicalNot, (a, _) => a[0] is bool b ? CelValues.Box(!b) : CelError.NoSuchOverload("!_"));
        environment.AddGlobal(Operators.Negate, (a, _) => Negate(a[0]));
        environment.AddBoth("size", (a, m) => Size(a, m));
        ArithmeticFunctions.Register(environment);
    }

    private static object Order(object?[] args, string name, Func<int, bool> test)
    {
        var order = CelValues.Compare(args[0], args[1]);
        return order switch
        {
            CelValues.NoOrdering => CelError.NoSuchOverload(name),
            CelValues.Unordered => CelValues.False,
            _ => CelValues.Box(test(order)),
        };
    }

    private static object In(object?[] args, CostMeter meter)
    {
        switch (args[1])
        {
            case CelMap map:
                return CelValues.Box(map.ContainsKey(args[0]));
            case IReadOnlyList<object?> list:
                meter.ChargeSize(list.Count);
                foreach (var item in list)
                {
                    if (CelValues.Equal(args[0], item))
                    {
                        return CelValues.True;
                    }
                }

                return CelValues.False;
            default:
                return CelError.NoSuchOverload("@in");
        }
    }

    internal static object? Index(object? operand, object? index)
    {
        switch (operand)
        {
            case IReadOnlyList<object?> list:
                if (ListPosition(index) is not { } position)
                {
                    return CelError.NoSuchOverload("_[_]");
                }

                return position >= 0 && position < list.Count ? list[(int)position] : new CelError($"index out of bounds: {position}");
            case CelMap map:
                if (index is not (bool or long or ulong or double or string))
                {
                    return CelError.NoSuchOverload("_[_]");
                }

                return map.TryGetValue(index, out var value) ? value : new CelError($"no such key: {index}");
            case CelOptional optional:
                return optional.HasValue ? OptionalIndex(optional.Value, index) : optional;
            default:
                return CelError.NoSuchOverload("_[_]");
        }
    }

    private static object? OptionalIndex(object? operand, object? index)
    {
        if (operand is CelOptional optional)
        {
            if (!optional.HasValue)
            {
                return optional;
            }

            operand = optional.Value;
        }

        var found = Index(operand, index);
        return found switch
        {
            CelError when operand is IReadOnlyList<object?> or CelMap && (index is long or ulong or string or bool || index is double) => CelOptional.None,
            CelError => found,
            _ => CelOptional.Of(found),
        };
    }

    private static long? ListPosition(object? index) => index switch
    {
        long l => l,
        ulong u => u > long.MaxValue ? long.MaxValue : (long)u,
        double d when d == Math.Floor(d) && !double.IsInfinity(d) && Math.Abs(d) < 9.2e18 => (long)d,
        _ => null,
    };

    private static object Negate(object? value) => value switch
    {
        long l => checked(-l),
        double d => -d,
        CelDuration t => -t,
        _ => CelError.NoSuchOverload("-_"),
    };

    internal static object Size(object?[] args, CostMeter meter) => args.Length != 1 ? CelError.NoSuchOverload("size") : args[0] switch
    {
        string s => CountCodePoints(s, meter),
        CelBytes b => (long)b.Length,
        IReadOnlyList<object?> l => (long)l.Count,
        CelMap m => (long)m.Count,
        _ => CelError.NoSuchOverload("size"),
    };

    private static long CountCodePoints(string s, CostMeter meter)
    {
        meter.ChargeSize(s.Length);
        var count = 0L;
        for (var i = 0; i < s.Length; i++)
        {
            if (!(char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])))
            {
                count++;
            }
        }

        return count;
    }
}
