using PolicyWebhook.Cel.Evaluation;

namespace PolicyWebhook.Cel.Functions;

/// <summary>The cel-go strings extension, version 2 as Kubernetes offers it.</summary>
internal static class StringExtensions
{
    public static void Register(CelEnvironment environment)
    {
        _ = environment;
    }
}
