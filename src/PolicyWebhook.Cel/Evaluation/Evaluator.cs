using PolicyWebhook.Cel.Syntax;
using PolicyWebhook.Cel.Values;

namespace PolicyWebhook.Cel.Evaluation;

/// <summary>Walks the syntax tree once per evaluation; errors are values, and every step is charged to the meter.</summary>
internal sealed partial class Evaluator(CelEnvironment environment, IReadOnlyDictionary<string, object?> variables, CostMeter meter)
{
    private readonly List<(string Name, object? Value)> _locals = [];

    public object? Eval(Expr expr)
    {
        meter.Charge(1);
        return expr switch
        {
            LiteralExpr literal => literal.Value,
            IdentExpr ident => Resolve(ident.Name),
            SelectExpr select => EvalSelect(select),
            CallExpr call => EvalCall(call),
            ListExpr list => EvalList(list),
            MapExpr map => EvalMap(map),
            ComprehensionExpr comprehension => EvalComprehension(comprehension),
            BindExpr bind => EvalBind(bind),
            BlockExpr block => EvalBlock(block),
            StructExpr structure => new CelError($"unknown type '{structure.TypeName}': message types are not supported"),
            _ => new CelError("unsupported expression"),
        };
    }

    private object? Resolve(string name)
    {
        for (var i = _locals.Count - 1; i >= 0; i--)
        {
            if (_locals[i].Name == name)
            {
                return _locals[i].Value;
            }
        }

        var global = name.StartsWith('.') ? name[1..] : name;
        if (variables.TryGetValue(global, out var value))
        {
            return value;
        }

        return (object?)CelType.Find(global) ?? new CelError($"undeclared reference to '{global}'");
    }

    private bool IsLocal(string name)
    {
        for (var i = _locals.Count - 1; i >= 0; i--)
        {
            if (_locals[i].Name == name)
            {
                return true;
            }
        }

        return false;
    }

    private static string RootName(Expr expr) => expr switch
    {
        IdentExpr ident => ident.Name,
        SelectExpr select => RootName(select.Operand),
        _ => string.Empty,
    };

    private object? EvalSelect(SelectExpr select)
    {
        if (select.QualifiedName is { } qualified && !select.TestOnly && !IsLocal(RootName(select)))
        {
            var global = qualified.StartsWith('.') ? qualified[1..] : qualified;
            if (variables.TryGetValue(global, out var bound))
            {
                return bound;
            }

            if (CelType.Find(global) is { } type)
            {
                return type;
            }
        }

        var operand = Eval(select.Operand);
        if (operand is CelError)
        {
            return operand;
        }

        if (select.TestOnly)
        {
            if (operand is CelOptional { HasValue: var present, Value: var inner })
            {
                return present ? (inner is CelMap within ? CelValues.Box(within.ContainsKey(select.Field)) : CelError.NoSuchOverload("has")) : CelValues.False;
            }

            return operand is CelMap presence ? CelValues.Box(presence.ContainsKey(select.Field)) : CelError.NoSuchOverload("has");
        }

        if (select.Optional || operand is CelOptional)
        {
            return SelectOptional(operand, select.Field);
        }

        if (operand is CelMap map)
        {
            return map.TryGetValue(select.Field, out var value) ? value : new CelError($"no such key: {select.Field}");
        }

        return new CelError($"type '{CelValues.TypeOf(operand)?.Name ?? "unknown"}' does not support field selection");
    }

    private static object? SelectOptional(object? operand, string field)
    {
        if (operand is CelOptional optional)
        {
            if (!optional.HasValue)
            {
                return optional;
            }

            operand = optional.Value;
        }

        return operand is CelMap map
            ? map.TryGetValue(field, out var value) ? CelOptional.Of(value) : CelOptional.None
            : new CelError($"type '{CelValues.TypeOf(operand)?.Name ?? "unknown"}' does not support field selection");
    }

    private object? EvalList(ListExpr list)
    {
        var items = new List<object?>(list.Elements.Count);
        for (var i = 0; i < list.Elements.Count; i++)
        {
            var value = Eval(list.Elements[i]);
            if (value is CelError)
            {
                return value;
            }

            if (list.OptionalIndices.Contains(i))
            {
                if (value is not CelOptional optional)
                {
                    return new CelError("optional list element is not an optional value");
                }

                if (!optional.HasValue)
                {
                    continue;
                }

                value = optional.Value;
            }

            items.Add(value);
        }

        return items.ToArray();
    }

    private object? EvalMap(MapExpr map)
    {
        var result = new CelMap(map.Entries.Count);
        foreach (var entry in map.Entries)
        {
            var key = Eval(entry.Key);
            if (key is CelError)
            {
                return key;
            }

            var value = Eval(entry.Value);
            if (value is CelError)
            {
                return value;
            }

            if (!CelMap.IsValidKey(key))
            {
                return new CelError($"unsupported key type: {CelValues.TypeOf(key)?.Name}");
            }

            if (entry.Optional)
            {
                if (value is not CelOptional optional)
                {
                    return new CelError("optional map entry is not an optional value");
                }

                if (!optional.HasValue)
                {
                    continue;
                }

                value = optional.Value;
            }

            if (!result.TryAdd(key!, value))
            {
                return new CelError($"Failed with repeated key: {key}");
            }
        }

        meter.ChargeSize(result.Count);
        return result;
    }

    private object? EvalBind(BindExpr bind)
    {
        var init = Eval(bind.Init);
        _locals.Add((bind.Name, init));
        try
        {
            return Eval(bind.Body);
        }
        finally
        {
            _locals.RemoveAt(_locals.Count - 1);
        }
    }

    // Slots are evaluated in order; an error in a slot is a value, raised only where the slot is used.
    private object? EvalBlock(BlockExpr block)
    {
        var mark = _locals.Count;
        try
        {
            for (var i = 0; i < block.Slots.Count; i++)
            {
                _locals.Add((Macros.BlockSlot(i), Eval(block.Slots[i])));
            }

            return Eval(block.Result);
        }
        finally
        {
            _locals.RemoveRange(mark, _locals.Count - mark);
        }
    }
}
