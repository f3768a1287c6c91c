using PolicyWebhook.Cel.Evaluation;

namespace PolicyWebhook.Cel.Tests;

/// <summary>Compiles and evaluates an expression in one call, for tests.</summary>
internal static class Cel
{
    public static CelResult Run(string source, IReadOnlyDictionary<string, object?>? variables = null, long budget = CelProgram.DefaultCostBudget) =>
        CelProgram.Compile(source).Evaluate(variables ?? new Dictionary<string, object?>(), budget);

    public static object? Value(string source, IReadOnlyDictionary<string, object?>? variables = null)
    {
        var result = Run(source, variables);
        Assert.False(result.IsError, result.Error?.Message);
        return result.Value;
    }
}
