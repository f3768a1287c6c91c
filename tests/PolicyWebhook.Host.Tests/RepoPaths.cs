namespace PolicyWebhook.Host.Tests;

/// <summary>Finds files of the repository from the test's output folder, so tests read the samples where they live.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Of(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>The real kube-apiserver AdmissionReview bodies kept by the engine's tests.</summary>
    public static string Sample(string name) => Of("tests", "PolicyWebhook.Engine.Tests", "Samples", name);

    public static IEnumerable<string> Samples() =>
        Directory.EnumerateFiles(Of("tests", "PolicyWebhook.Engine.Tests", "Samples"), "*.json").Order(StringComparer.Ordinal);

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
