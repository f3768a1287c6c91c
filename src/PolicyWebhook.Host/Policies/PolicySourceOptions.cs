namespace PolicyWebhook.Host.Policies;

/// <summary>Where policies come from, bound from the <c>Policies</c> section.</summary>
public sealed class PolicySourceOptions
{
    public const string Section = "Policies";

    /// <summary>
    /// Where policies come from: <c>Files</c> (the folder below, or the built-in default) or <c>Cluster</c> (the
    /// API server). Unset: the cluster when running in one with no folder configured, files otherwise.
    /// </summary>
    public string? Source { get; set; }

    /// <summary>True when the settings and environment say policies come from the cluster.</summary>
    public bool UsesCluster() =>
        Source is not null
            ? string.Equals(Source, "Cluster", StringComparison.OrdinalIgnoreCase)
            : Directory is null && !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST"));

    /// <summary>A folder of policy YAML (the same resources a cluster holds); unset means the built-in default policy.</summary>
    public string? Directory { get; set; }

    /// <summary>How often the folder is checked for changes. ConfigMap mounts change by swapping a symlink, which file events miss.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);
}
