using PolicyWebhook.Cel.Evaluation;
using PolicyWebhook.Cel.Values;

namespace PolicyWebhook.Cel.Functions;

/// <summary>The strings extension's format: %s, %d, %f, %e, %x, %X, %o and %b clauses over a list of arguments.</summary>
internal static class StringFormatter
{
    public static object Format(string format, IReadOnlyList<object?> args, CostMeter meter)
    {
        meter.ChargeSize(format.Length);
        return new CelError("format is not supported yet");
    }
}
