using PolicyWebhook.Cel.Evaluation;
using PolicyWebhook.Cel.Values;

namespace PolicyWebhook.Cel.Functions;

/// <summary>The cel-go math extension: math.greatest, math.least, ceil, floor, round, trunc, abs, sign, isNaN, isInf, isFinite and bit operations.</summary>
internal static class MathExtensions
{
    public static void Register(CelEnvironment environment)
    {
        environment.AddGlobal("math.greatest", (a, m) => Extreme(a, m, "math.greatest", order => order > 0));
        environment.AddGlobal("math.least", (a, m) => Extreme(a, m, "math.least", order => order < 0));
        Double(environment, "math.ceil", Math.Ceiling);
        Double(environment, "math.floor", Math.Floor);
        Double(environment, "math.round", d => Math.Round(d, MidpointRounding.AwayFromZero));
        Double(environment, "math.trunc", Math.Truncate);
        DoubleTest(environment, "math.isNaN", double.IsNaN);
        DoubleTest(environment, "math.isInf", double.IsInfinity);
        DoubleTest(environment, "math.isFinite", double.IsFinite);
        environment.AddGlobal("math.abs", (a, _) => a switch
        {
            [long l] => l == long.MinValue ? throw new OverflowException() : Math.Abs(l),
            [ulong u] => u,
            [double d] => Math.Abs(d),
            _ => CelError.NoSuchOverload("math.abs"),
        });
        environment.AddGlobal("math.sign", (a, _) => a switch
        {
            [long l] => (long)Math.Sign(l),
            [ulong u] => u == 0 ? 0UL : 1UL,
            [double d] => double.IsNaN(d) ? d : (double)Math.Sign(d),
            _ => CelError.NoSuchOverload("math.sign"),
        });
        Bits(environment, "math.bitAnd", (x, y) => x & y, (x, y) => x & y);
        Bits(environment, "math.bitOr", (x, y) => x | y, (x, y) => x | y);
        Bits(environment, "math.bitXor", (x, y) => x ^ y, (x, y) => x ^ y);
        environment.AddGlobal("math.bitNot", (a, _) => a switch
        {
            [long l] => ~l,
            [ulong u] => ~u,
            _ => CelError.NoSuchOverload("math.bitNot"),
        });
        environment.AddGlobal("math.bitShiftLeft", (a, _) => a switch
        {
            [_, long s] when s < 0 => new CelError("math.bitShiftLeft() negative offset"),
            [long l, long s] => s >= 64 ? 0L : l << (int)s,
            [ulong u, long s] => s >= 64 ? 0UL : u << (int)s,
            _ => CelError.NoSuchOverload("math.bitShiftLeft"),
        });
        environment.AddGlobal("math.bitShiftRight", (a, _) => a switch
        {
            [_, long s] when s < 0 => new CelError("math.bitShiftRight() negative offset"),
            [long l, long s] => s >= 64 ? 0L : l >>> (int)s,
            [ulong u, long s] => s >= 64 ? 0UL : u >> (int)s,
            _ => CelError.NoSuchOverload("math.bitShiftRight"),
        });
    }

    private static void Double(CelEnvironment environment, string name, Func<double, double> f) =>
        environment.AddGlobal(name, (a, _) => a is [double d] ? f(d) : CelError.NoSuchOverload(name));

    private static void DoubleTest(CelEnvironment environment, string name, Func<double, bool> f) =>
        environment.AddGlobal(name, (a, _) => a is [double d] ? CelValues.Box(f(d)) : CelError.NoSuchOverload(name));

    private static void Bits(CelEnvironment environment, string name, Func<long, long, long> signed, Func<ulong, ulong, ulong> unsigned) =>
        environment.AddGlobal(name, (a, _) => a switch
        {
            [long x, long y] => signed(x, y),
            [ulong x, ulong y] => unsigned(x, y),
            _ => CelError.NoSuchOverload(name),
        });

    private static object? Extreme(object?[] args, CostMeter meter, string name, Func<int, bool> better)
    {
        IReadOnlyList<object?> values = args is [IReadOnlyList<object?> list] ? list : args;
        meter.ChargeSize(values.Count);
        if (values.Count == 0)
        {
            return new CelError($"{name}(list) argument must not be empty");
        }

        var best = values[0];
        foreach (var value in values)
        {
            if (value is not (long or ulong or double))
            {
                return CelError.NoSuchOverload(name);
            }

            var order = CelValues.Compare(value, best);
            if (order != CelValues.Unordered && better(order))
            {
                best = value;
            }
            else if (order == CelValues.Unordered && value is double d && double.IsNaN(d))
            {
                best = value;
            }
        }

        return best;
    }
}
