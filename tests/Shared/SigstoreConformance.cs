namespace PolicyWebhook.Tests.Shared;

/// <summary>
/// The sigstore-conformance bundle-verify cases in <c>tests/Shared/sigstore-conformance</c>, with their index.tsv
/// (the expected verdict and arguments of each), as the shared test material laid them out.
/// </summary>
internal static class SigstoreConformance
{
    /// <summary>The repository: the folder holding PolicyWebhook.sln above the test's output.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>The suite's cases, copied unchanged into the repository (their README says from where).</summary>
    public static string Folder { get; } = Path.Combine(RepositoryRoot, "tests", "Shared", "sigstore-conformance");

    /// <summary>The rows of index.tsv, as column name to value.</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, string>> Rows()
    {
        var lines = File.ReadAllLines(Path.Combine(Folder, "index.tsv")).Where(l => l.Length > 0).ToList();
        var header = lines[0].Split('\t');
        return [.. lines.Skip(1).Select(l => (IReadOnlyDictionary<string, string>)header.Zip(l.Split('\t')).ToDictionary(p => p.First, p => p.Second))];
    }

    /// <summary>A path of index.tsv (relative to the folder) made absolute.</summary>
    public static string PathOf(string relative) => Path.Combine(Folder, relative);

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PolicyWebhook.sln")))
        {
            dir = dir.Parent;
        }

        return dir is { Parent: not null }
            ? dir.FullName
            : throw new InvalidOperationException("PolicyWebhook.sln not found above " + AppContext.BaseDirectory);
    }
}
