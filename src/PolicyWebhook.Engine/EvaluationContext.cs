namespace PolicyWebhook.Engine;

/// <summary>What the evaluator needs to know beyond the object itself.</summary>
/// <param name="DefaultNamespace">The namespace of an object that names none.</param>
/// <param name="NamespaceLabels">The labels of the object's namespace; null when unknown (offline checks).</param>
public sealed record EvaluationContext(string DefaultNamespace = "default", IDictionary<string, string>? NamespaceLabels = null)
{
    public static EvaluationContext Offline => new();

    /// <summary>The time exceptions are judged against; the current time unless a caller sets it.</summary>
    public DateTimeOffset Now { get; init; } = DateTimeOffset.UtcNow;
}
