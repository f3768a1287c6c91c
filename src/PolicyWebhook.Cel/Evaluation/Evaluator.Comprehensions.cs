using PolicyWebhook.Cel.Syntax;
using PolicyWebhook.Cel.Values;

namespace PolicyWebhook.Cel.Evaluation;

/// <summary>The macros: all, exists, exists_one, map, filter and the two-variable transforms, each a loop over a list or map.</summary>
internal sealed partial class Evaluator
{
    private object? EvalComprehension(ComprehensionExpr c)
    {
        var range = Eval(c.Range);
        if (range is CelError)
        {
            return range;
        }

        if (c.Kind is ComprehensionKind.OptMap or ComprehensionKind.OptFlatMap)
        {
            return OptionalMap(c, range);
        }

        // Charged before the iteration list is built, so a huge range is refused before it costs memory.
        meter.ChargeSize(range switch
        {
            CelMap m => m.Count,
            IReadOnlyList<object?> l => l.Count,
            _ => 0,
        });
        IReadOnlyList<(object? First, object? Second)> items;
        switch (range)
        {
            case CelMap map:
                items = [.. map.Entries.Select(e => ((object?)e.Key, e.Value))];
                break;
            case IReadOnlyList<object?> list:
                items = c.IterVar2 is null
                    ? [.. list.Select(v => (v, (object?)null))]
                    : [.. list.Select((v, i) => ((object?)(long)i, v))];
                break;
            default:
                return new CelError($"expression of type '{CelValues.TypeOf(range)?.Name}' cannot be the range of a comprehension");
        }

        var mark = _locals.Count;
        _locals.Add((c.IterVar, null));
        if (c.IterVar2 is not null)
        {
            _locals.Add((c.IterVar2, null));
        }

        try
        {
            return c.Kind switch
            {
                ComprehensionKind.All => Quantify(c, items, mark, absorbing: false),
                ComprehensionKind.Exists => Quantify(c, items, mark, absorbing: true),
                ComprehensionKind.ExistsOne => ExistsOne(c, items, mark),
                ComprehensionKind.TransformMap or ComprehensionKind.TransformMapEntry => TransformMap(c, items, mark),
                _ => Collect(c, items, mark),
            };
        }
        finally
        {
            _locals.RemoveRange(mark, _locals.Count - mark);
        }
    }

    private void Bind(ComprehensionExpr c, int mark, (object? First, object? Second) item)
    {
        meter.Charge(1);
        _locals[mark] = (c.IterVar, item.First);
        if (c.IterVar2 is not null)
        {
            _locals[mark + 1] = (c.IterVar2, item.Second);
        }
    }

    private object? Quantify(ComprehensionExpr c, IReadOnlyList<(object?, object?)> items, int mark, bool absorbing)
    {
        object? error = null;
        foreach (var item in items)
        {
            Bind(c, mark, item);
            var result = Eval(c.Predicate!);
            if (result is bool b)
            {
                if (b == absorbing)
                {
                    return result;
                }
            }
            else
            {
                error ??= result as CelError ?? CelError.NoSuchOverload(absorbing ? "exists" : "all");
            }
        }

        return error ?? CelValues.Box(!absorbing);
    }

    private object? ExistsOne(ComprehensionExpr c, IReadOnlyList<(object?, object?)> items, int mark)
    {
        var count = 0;
        foreach (var item in items)
        {
            Bind(c, mark, item);
            switch (Eval(c.Predicate!))
            {
                case true:
                    count++;
                    break;
                case false:
                    break;
                case CelError error:
                    return error;
                default:
                    return CelError.NoSuchOverload("exists_one");
            }
        }

        return CelValues.Box(count == 1);
    }

    // map, filter and transformList: a predicate (if any) filters, a transform (if any) maps.
    private object? Collect(ComprehensionExpr c, IReadOnlyList<(object? First, object? Second)> items, int mark)
    {
        var output = new List<object?>();
        foreach (var item in items)
        {
            Bind(c, mark, item);
            if (c.Predicate is not null)
            {
                var keep = Eval(c.Predicate);
                if (keep is not bool b)
                {
                    return keep as CelError ?? CelError.NoSuchOverload("filter");
                }

                if (!b)
                {
                    continue;
                }
            }

            var value = c.Transform is null ? item.First : Eval(c.Transform);
            if (value is CelError)
            {
                return value;
            }

            output.Add(value);
        }

        return output.ToArray();
    }

    private object? TransformMap(ComprehensionExpr c, IReadOnlyList<(object? First, object? Second)> items, int mark)
    {
        var output = new CelMap(items.Count);
        foreach (var item in items)
        {
            Bind(c, mark, item);
            if (c.Predicate is not null)
            {
                var keep = Eval(c.Predicate);
                if (keep is not bool b)
                {
                    return keep as CelError ?? CelError.NoSuchOverload("transformMap");
                }

                if (!b)
                {
                    continue;
                }
            }

            var value = Eval(c.Transform!);
            if (value is CelError)
            {
                return value;
            }

            if (c.Kind == ComprehensionKind.TransformMap)
            {
                if (!CelMap.IsValidKey(item.First) || !output.TryAdd(item.First!, value))
                {
                    return new CelError($"insert failed: key {item.First} already exists");
                }

                continue;
            }

            if (value is not CelMap entry)
            {
                return CelError.NoSuchOverload("transformMapEntry");
            }

            foreach (var (k, v) in entry.Entries)
            {
                if (!output.TryAdd(k, v))
                {
                    return new CelError($"insert failed: key {k} already exists");
                }
            }
        }

        return output;
    }

    // optional.optMap(x, f(x)) and optFlatMap: none stays none; a value is bound and transformed.
    private object? OptionalMap(ComprehensionExpr c, object? range)
    {
        if (range is not CelOptional optional)
        {
            return CelError.NoSuchOverload(c.Kind == ComprehensionKind.OptMap ? "optMap" : "optFlatMap");
        }

        if (!optional.HasValue)
        {
            return optional;
        }

        _locals.Add((c.IterVar, optional.Value));
        try
        {
            var result = Eval(c.Transform!);
            return result is CelError || c.Kind == ComprehensionKind.OptFlatMap ? result : CelOptional.Of(result);
        }
        finally
        {
            _locals.RemoveAt(_locals.Count - 1);
        }
    }
}
