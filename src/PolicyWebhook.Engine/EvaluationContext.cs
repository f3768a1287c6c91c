using PolicyWebhook.Engine.Images;

namespace PolicyWebhook.Engine;

/// <summary>What the evaluator needs to know beyond the object itself.</summary>
/// <param name="DefaultNamespace">The namespace of an object that names none.</param>
/// <param name="NamespaceLabels">The labels of the object's namespace; null when unknown (offline checks).</param>
public sealed record EvaluationContext(string DefaultNamespace = "default", IDictionary<string, string>? NamespaceLabels = null)
{
    public static EvaluationContext Offline => new();

    /// <summary>The time exceptions are judged against; the current time unless a caller sets it.</summary>
    public DateTimeOffset Now { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>
    /// What was gathered of each image before evaluating (signatures, attestations, digests); null offline, where check
    /// <c>imageVerification</c> then judges nothing, as no registry was asked.
    /// </summary>
    public IImageFactsLookup? ImageFacts { get; init; }
}
