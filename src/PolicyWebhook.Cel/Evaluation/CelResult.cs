using PolicyWebhook.Cel.Values;

namespace PolicyWebhook.Cel.Evaluation;

/// <summary>The outcome of one evaluation: a value, or an error (including a spent budget), and the cost it took.</summary>
public sealed record CelResult(object? Value, CelError? Error, long Cost)
{
    public bool IsError => Error is not null;
}
