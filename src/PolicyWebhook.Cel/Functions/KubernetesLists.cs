using PolicyWebhook.Cel.Evaluation;
using PolicyWebhook.Cel.Values;

namespace PolicyWebhook.Cel.Functions;

/// <summary>Kubernetes' list library: isSorted, sum, min, max, indexOf, lastIndexOf (and includes from its version 1).</summary>
internal static class KubernetesLists
{
    public static void Register(CelEnvironment environment)
    {
        environment.AddMember("isSorted", (a, m) => a is [IReadOnlyList<object?> list] ? IsSorted(list, m) : CelError.NoSuchOverload("isSorted"));
        environment.AddMember("sum", (a, m) => a is [IReadOnlyList<object?> list] ? Sum(list, m) : CelError.NoSuchOverload("sum"));
        environment.AddMember("min", (a, m) => a is [IReadOnlyList<object?> list] ? Extreme(list, m, "min", -1) : CelError.NoSuchOverload("min"));
        environment.AddMember("max", (a, m) => a is [IReadOnlyList<object?> list] ? Extreme(list, m, "max", 1) : CelError.NoSuchOverload("max"));
        environment.AddMember("indexOf", (a, m) => a is [IReadOnlyList<object?> list, var item] ? Find(list, item, m, last: false) : CelError.NoSuchOverload("indexOf"));
        environment.AddMember("lastIndexOf", (a, m) => a is [IReadOnlyList<object?> list, var item] ? Find(list, item, m, last: true) : CelError.NoSuchOverload("lastIndexOf"));
        environment.AddMember("includes", (a, m) => a switch
        {
            [IReadOnlyList<object?> list, var item] => CelValues.Box(Find(list, item, m, last: false) >= 0),
            [var value, var item] => CelValues.Box(CelValues.Equal(value, item)),
            _ => CelError.NoSuchOverload("includes"),
        });
    }

    private static object IsSorted(IReadOnlyList<object?> list, CostMeter meter)
    {
        meter.ChargeSize(list.Count);
        for (var i = 1; i < list.Count; i++)
        {
            var order = CelValues.Compare(list[i - 1], list[i]);
            if (order == CelValues.NoOrdering)
            {
                return CelError.NoSuchOverload("isSorted");
            }

            if (order == 1)
            {
                return CelValues.False;
            }
        }

        return CelValues.True;
    }

    private static object? Sum(IReadOnlyList<object?> list, CostMeter meter)
    {
        meter.ChargeSize(list.Count);
        if (list.Count == 0)
        {
            return 0L;
        }

        var total = list[0];
        for (var i = 1; i < list.Count; i++)
        {
            total = (total, list[i]) switch
            {
                (long x, long y) => checked(x + y),
                (ulong x, ulong y) => checked(x + y),
                (double x, double y) => x + y,
                (CelDuration x, CelDuration y) => x + y,
                _ => CelError.NoSuchOverload("sum"),
            };
        }

        return total is long or ulong or double or CelDuration or CelError ? total : CelError.NoSuchOverload("sum");
    }

    private static object? Extreme(IReadOnlyList<object?> list, CostMeter meter, string name, int wanted)
    {
        meter.ChargeSize(list.Count);
        if (list.Count == 0)
        {
            return new CelError($"{name} called on empty list");
        }

        var best = list[0];
        foreach (var item in list)
        {
            var order = CelValues.Compare(item, best);
            if (order == CelValues.NoOrdering)
            {
                return CelError.NoSuchOverload(name);
            }

            if (order == wanted)
            {
                best = item;
            }
        }

        return best;
    }

    private static long Find(IReadOnlyList<object?> list, object? item, CostMeter meter, bool last)
    {
        meter.ChargeSize(list.Count);
        for (var n = 0; n < list.Count; n++)
        {
            var i = last ? list.Count - 1 - n : n;
            if (CelValues.Equal(list[i], item))
            {
                return (long)i;
            }
        }

        return -1L;
    }
}
