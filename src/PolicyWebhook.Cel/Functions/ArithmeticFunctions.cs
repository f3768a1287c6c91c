using PolicyWebhook.Cel.Evaluation;
using PolicyWebhook.Cel.Syntax;
using PolicyWebhook.Cel.Values;

namespace PolicyWebhook.Cel.Functions;

/// <summary>+, -, *, / and % over int and uint (overflow is an error), double, strings, bytes, lists, timestamps and durations.</summary>
internal static class ArithmeticFunctions
{
    public static void Register(CelEnvironment environment)
    {
        environment.AddGlobal(Operators.Add, (a, m) => Add(a[0], a[1], m));
        environment.AddGlobal(Operators.Subtract, (a, _) => Subtract(a[0], a[1]));
        environment.AddGlobal(Operators.Multiply, (a, _) => Multiply(a[0], a[1]));
        environment.AddGlobal(Operators.Divide, (a, _) => Divide(a[0], a[1]));
        environment.AddGlobal(Operators.Modulo, (a, _) => Modulo(a[0], a[1]));
    }

    private static object Add(object? x, object? y, CostMeter meter)
    {
        switch (x, y)
        {
            case (long a, long b):
                return checked(a + b);
            case (ulong a, ulong b):
                return checked(a + b);
            case (double a, double b):
                return a + b;
            case (string a, string b):
                meter.ChargeSize(a.Length + b.Length);
                return string.Concat(a, b);
            case (CelBytes a, CelBytes b):
                meter.ChargeSize(a.Length + b.Length);
                return new CelBytes([.. a.Span, .. b.Span]);
            case (IReadOnlyList<object?> a, IReadOnlyList<object?> b):
                meter.ChargeSize(a.Count + b.Count);
                return a.Count == 0 ? b : b.Count == 0 ? a : (object)a.Concat(b).ToArray();
            case (CelTimestamp a, CelDuration b):
                return a.Add(b);
            case (CelDuration a, CelTimestamp b):
                return b.Add(a);
            case (CelDuration a, CelDuration b):
                return a + b;
            default:
                return CelError.NoSuchOverload("_+_");
        }
    }

    private static object Subtract(object? x, object? y) => (x, y) switch
    {
        (long a, long b) => checked(a - b),
        (ulong a, ulong b) => checked(a - b),
        (double a, double b) => a - b,
        (CelTimestamp a, CelTimestamp b) => a.Subtract(b),
        (CelTimestamp a, CelDuration b) => a.Add(-b),
        (CelDuration a, CelDuration b) => a - b,
        _ => CelError.NoSuchOverload("_-_"),
    };

    private static object Multiply(object? x, object? y) => (x, y) switch
    {
        (long a, long b) => checked(a * b),
        (ulong a, ulong b) => checked(a * b),
        (double a, double b) => a * b,
        _ => CelError.NoSuchOverload("_*_"),
    };

    private static object Divide(object? x, object? y) => (x, y) switch
    {
        (long, 0L) or (ulong, 0UL) => new CelError("division by zero"),
        (long a, long b) => checked(a / b),
        (ulong a, ulong b) => a / b,
        (double a, double b) => a / b,
        _ => CelError.NoSuchOverload("_/_"),
    };

    private static object Modulo(object? x, object? y) => (x, y) switch
    {
        (long, 0L) or (ulong, 0UL) => new CelError("modulus by zero"),
        (long a, long b) => b == -1 ? (a == long.MinValue ? throw new OverflowException() : 0L) : a % b,
        (ulong a, ulong b) => a % b,
        _ => CelError.NoSuchOverload("_%_"),
    };
}
