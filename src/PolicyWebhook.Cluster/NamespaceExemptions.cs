namespace PolicyWebhook.Cluster;

/// <summary>
/// The namespaces the webhook never checks, computed one way for the server and for <c>scan</c>: the configured
/// list (kube-system when none is configured) and the webhook's own namespace, so that what the webhook lets in
/// unchecked is never reported as "would be denied".
/// </summary>
public static class NamespaceExemptions
{
    /// <summary>Exempt when no list is configured.</summary>
    public static IReadOnlyList<string> Default { get; } = ["kube-system"];

    public static IReadOnlySet<string> Effective(IEnumerable<string>? configured, string? ownNamespace)
    {
        var set = new HashSet<string>((configured ?? Default).Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => n.Trim()), StringComparer.Ordinal);
        if (!string.IsNullOrEmpty(ownNamespace))
        {
            set.Add(ownNamespace);
        }

        return set;
    }
}
