namespace PolicyWebhook.Engine;

/// <summary>The policy a violation comes from, named the way users wrote it: <c>ClusterPolicy "restricted"</c>.</summary>
public readonly record struct PolicyReference(string Kind, string Name, string? Namespace = null)
{
    public override string ToString() =>
        Namespace is null ? $"{Kind} \"{Name}\"" : $"{Kind} \"{Namespace}/{Name}\"";
}

/// <summary>
/// One thing an object does that a policy forbids: which policy and check, in which mode, at which field,
/// what was found and what is required. <see cref="Message"/> says it in one sentence and never holds a secret.
/// </summary>
public sealed record Violation(
    PolicyReference Policy,
    string Check,
    PolicyMode Mode,
    string Path,
    string Message,
    string Found,
    string Required)
{
    /// <summary>
    /// True for a pod-level finding that stands for every container (the pod may set a field for all of them, and
    /// none does): an exception limited to containers waives it when it covers every container of the pod.
    /// </summary>
    public bool ForEveryContainer { get; init; }

    /// <summary>The violation as the webhook, the CLI and reports all word it: <c>check (message at path)</c>.</summary>
    public override string ToString() => $"{Check} ({Message} at {Path})";
}
