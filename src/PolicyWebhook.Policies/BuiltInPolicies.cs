namespace PolicyWebhook.Policies;

/// <summary>The policies shipped inside the assembly.</summary>
public static class BuiltInPolicies
{
    private const string DefaultResource = "PolicyWebhook.Policies.default-policy.yaml";

    /// <summary>The default policy's YAML, as shipped.</summary>
    public static string DefaultYaml { get; } = ReadResource(DefaultResource);

    private static readonly Lazy<IReadOnlyList<LoadedPolicy>> DefaultPolicies = new(() => PolicyLoader.LoadText(DefaultYaml, "built-in:default"));

    /// <summary>Pod Security Standards restricted at latest, plus resources, read-only root filesystem, mutable tags, inline secrets and runtime sockets.</summary>
    public static IReadOnlyList<LoadedPolicy> Default => DefaultPolicies.Value;

    private static string ReadResource(string name)
    {
        using var stream = typeof(BuiltInPolicies).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded resource {name} is missing");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
