namespace PolicyWebhook.Policies.Yaml;

/// <summary>Expands files and folders into the manifest files they hold.</summary>
public static class ManifestFiles
{
    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    /// <summary>Files are taken as given; folders are searched recursively for *.yaml, *.yml and *.json, in name order.</summary>
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
                files.AddRange(Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                    .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal));
            }
            else
            {
                problems.Add($"{path}:0: no such file or folder");
            }
        }

        return files;
    }
}
