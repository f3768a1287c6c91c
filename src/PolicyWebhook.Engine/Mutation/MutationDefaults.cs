namespace PolicyWebhook.Engine.Mutation;

/// <summary>
/// What a policy's mutation fills in where the user left a field out. Each flag names the field it sets;
/// the resource defaults apply per container to requests and limits the container does not name.
/// </summary>
public sealed record MutationDefaults(
    bool RunAsNonRoot,
    bool AllowPrivilegeEscalation,
    bool DropAllCapabilities,
    bool SeccompProfile,
    bool ReadOnlyRootFilesystem,
    IReadOnlyDictionary<string, string> Requests,
    IReadOnlyDictionary<string, string> Limits)
{
    /// <summary>The names a policy uses for the flags, in <c>spec.mutation.defaults</c>.</summary>
    public static IReadOnlyList<string> FieldNames { get; } =
        ["runAsNonRoot", "allowPrivilegeEscalation", "capabilities", "seccompProfile", "readOnlyRootFilesystem"];

    /// <summary>Builds the defaults from the field names a policy lists and its resource defaults.</summary>
    public static MutationDefaults From(
        IReadOnlyCollection<string> fields,
        IReadOnlyDictionary<string, string>? requests,
        IReadOnlyDictionary<string, string>? limits)
    {
        ArgumentNullException.ThrowIfNull(fields);
        return new MutationDefaults(
            fields.Contains("runAsNonRoot"),
            fields.Contains("allowPrivilegeEscalation"),
            fields.Contains("capabilities"),
            fields.Contains("seccompProfile"),
            fields.Contains("readOnlyRootFilesystem"),
            requests ?? new Dictionary<string, string>(),
            limits ?? new Dictionary<string, string>());
    }
}
