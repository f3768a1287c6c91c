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

    // A folder's own files only, as kubectl reads -f FOLDER without -R.
    private static readonly EnumerationOptions SearchTop = new()
    {
        RecurseSubdirectories = false,
        AttributesToSkip = FileAttributes.Hidden | FileAttributes.System,
        IgnoreInaccessible = true,
    };

    /// <summary>
    /// Files are taken as given; folders are searched recursively for *.yaml, *.yml and *.json, in name order,
    /// leaving out names that start with a dot.
    /// </summary>
    public static IReadOnlyList<string> Expand(IEnumerable<string> paths, ICollection<string> problems) => Expand(paths, problems, null);

    /// <summary>As <see cref="Expand(IEnumerable{string}, ICollection{string})"/>, noting in <paramref name="skippedFolders"/> each dot folder left out.</summary>
    public static IReadOnlyList<string> Expand(IEnumerable<string> paths, ICollection<string> problems, ICollection<string>? skippedFolders) =>
        Expand(paths, problems, skippedFolders, recursive: true);

    /// <summary>
    /// As <see cref="Expand(IEnumerable{string}, ICollection{string}, ICollection{string})"/>; without
    /// <paramref name="recursive"/>, a folder gives only its own files, as <c>kubectl apply -f FOLDER</c> reads it without <c>-R</c>.
    /// </summary>
    public static IReadOnlyList<string> Expand(IEnumerable<string> paths, ICollection<string> problems, ICollection<string>? skippedFolders, bool recursive)
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
                files.AddRange(Directory.EnumerateFiles(path, "*", recursive ? Search : SearchTop)
                    .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase) && !InDotFolder(path, f))
                    .Order(StringComparer.Ordinal));
                if (skippedFolders is not null && recursive)
                {
                    foreach (var folder in DotFolders(path))
                    {
                        skippedFolders.Add(folder);
                    }
                }
            }
            else
            {
                problems.Add($"{path}: no such file or folder");
            }
        }

        return files;
    }

    // The dot folders under a folder, outermost only (.git, not .git/refs), in name order.
    private static IEnumerable<string> DotFolders(string root)
    {
        var options = new EnumerationOptions { IgnoreInaccessible = true, AttributesToSkip = FileAttributes.System };
        var pending = new Stack<string>([root]);
        var found = new List<string>();
        while (pending.Count > 0)
        {
            foreach (var folder in Directory.EnumerateDirectories(pending.Pop(), "*", options))
            {
                if (Path.GetFileName(folder).StartsWith('.'))
                {
                    found.Add(folder);
                }
                else if (!new DirectoryInfo(folder).Attributes.HasFlag(FileAttributes.ReparsePoint))
                {
                    pending.Push(folder);
                }
            }
        }

        return found.Order(StringComparer.Ordinal);
    }

    private static bool InDotFolder(string root, string file) =>
        Path.GetRelativePath(root, file).Split(Path.DirectorySeparatorChar).Any(part => part.StartsWith('.'));
}
