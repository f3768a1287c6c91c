namespace PolicyWebhook.Host.Policies;

/// <summary>Where policies come from, bound from the <c>Policies</c> section.</summary>
public sealed class PolicySourceOptions
{
    public const string Section = "Policies";

    /// <summary>A folder of policy YAML (the same resources a cluster holds); unset means the built-in default policy.</summary>
    public string? Directory { get; set; }

    /// <summary>How often the folder is checked for changes. ConfigMap mounts change by swapping a symlink, which file events miss.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);
}
