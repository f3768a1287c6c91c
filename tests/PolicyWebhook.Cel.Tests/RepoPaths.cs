namespace PolicyWebhook.Cel.Tests;

/// <summary>Finds files of the repository, and the shared folder beside it, from the test's output folder.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Of(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>CEL's conformance tests as JSON, copied unchanged into the repository (their README says from where).</summary>
    public static string CelSpec { get; } = Of("tests", "PolicyWebhook.Cel.Tests", "Conformance", "cel-spec");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PolicyWebhook.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("PolicyWebhook.sln not found above " + AppContext.BaseDirectory);
    }
}
