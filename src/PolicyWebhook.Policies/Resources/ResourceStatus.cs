namespace PolicyWebhook.Policies.Resources;

/// <summary>Whether a policy or exception is in force, as the webhook last saw it; written through the status subresource.</summary>
public sealed class ResourceStatus
{
    /// <summary>The generation the conditions describe.</summary>
    public long? ObservedGeneration { get; set; }

    /// <summary>Ready: True when in force; False with the reason (such as its validation errors) when not.</summary>
    public List<StatusCondition>? Conditions { get; set; }
}

/// <summary>One condition, in the shape of Kubernetes' metav1.Condition.</summary>
public sealed class StatusCondition
{
    public string? Type { get; set; }

    public string? Status { get; set; }

    public string? Reason { get; set; }

    public string? Message { get; set; }

    public string? LastTransitionTime { get; set; }

    public long? ObservedGeneration { get; set; }
}
