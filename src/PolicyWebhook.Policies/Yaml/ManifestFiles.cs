namespace PolicyWebhook.Policies.Yaml;

/// <summary>Expands files and folders into the manifest files they hold.</summary>
public static class ManifestFiles
{
    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    // Entries whose name starts with a dot are skipped: a ConfigMap volume holds each file twice, once as a link
    // at the top and once inside a "..2025_..." folder, and version-control folders are no manifests either.
    private static readonly EnumerationOptions Search = new()
    {
        RecurseSubdirectories = true,
        AttributesToSkip = FileAttributes.Hidden | FileAttributes.System,
        IgnoreInaccessible = true,
    };

    /// <summary>
    /// Files are taken as given; folders are searched recursively for *.yaml, *.yml and *.json, in name order,
    /// leaving out names that start with a dot.
    /// </summary>
    public static IReadOnlyList<string> Expand(IEnumerable<string> paths, ICollection<string> problems)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(problems);
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (File.Exists(path))
            {
                files.Add(path);
            }
            else if (Directory.Exists(path))
            {
                files.AddRange(Directory.EnumerateFiles(path, "*", Search)
                    .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase) && !InDotFolder(path, f))
                    .Order(StringComparer.Ordinal));
            }
            else
            {
                problems.Add($"{path}:0: no such file or folder");
            }
        }

        return files;
    }

    private static bool InDotFolder(string root, string file) =>
        Path.GetRelativePath(root, file).Split(Path.DirectorySeparatorChar).Any(part => part.StartsWith('.'));
}
