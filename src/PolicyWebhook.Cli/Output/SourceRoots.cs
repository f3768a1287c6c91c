using System.Text.Json.Nodes;

namespace PolicyWebhook.Cli.Output;

/// <summary>
/// Where SARIF locations are relative to: each file's git repository root (the folder holding <c>.git</c>), else
/// the working directory. The first root is <c>%SRCROOT%</c>, which code scanning maps onto the repository it
/// analyses; further roots are <c>%SRCROOT2%</c>, <c>%SRCROOT3%</c> and so on.
/// </summary>
internal sealed class SourceRoots(string workingDirectory)
{
    private readonly Dictionary<string, string> _ids = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _rootOfFolder = new(StringComparer.Ordinal);
    private readonly string _workingDirectory = Path.GetFullPath(workingDirectory);

    /// <summary>The artifactLocation of a source: a relative <c>uri</c> and its <c>uriBaseId</c>, or <c>stdin</c> alone.</summary>
    public JsonObject ArtifactLocation(string source)
    {
        if (source is "stdin" or "-")
        {
            return new JsonObject { ["uri"] = "stdin" };
        }

        var full = Path.GetFullPath(source, _workingDirectory);
        var root = RootOf(Path.GetDirectoryName(full) ?? full);
        if (!_ids.TryGetValue(root, out var id))
        {
            id = _ids.Count == 0 ? "%SRCROOT%" : $"%SRCROOT{_ids.Count + 1}%";
            _ids[root] = id;
        }

        return new JsonObject { ["uri"] = Relative(Path.GetRelativePath(root, full)), ["uriBaseId"] = id };
    }

    /// <summary>The <c>originalUriBaseIds</c> of the run: each root as an absolute <c>file:</c> URI ending in a slash.</summary>
    public JsonObject BaseIds()
    {
        var ids = new JsonObject();
        foreach (var (root, id) in _ids)
        {
            var uri = new Uri(Path.TrimEndingDirectorySeparator(root) + Path.DirectorySeparatorChar).AbsoluteUri;
            ids[id] = new JsonObject { ["uri"] = uri };
        }

        return ids;
    }

    // The nearest folder at or above holding .git (a folder, or a file in a worktree or submodule); else the working
    // directory when the file is below it, else the file's own folder, so that no URI climbs out of its base.
    private string RootOf(string folder)
    {
        if (_rootOfFolder.TryGetValue(folder, out var known))
        {
            return known;
        }

        string? root = null;
        for (var at = folder; at is not null; at = Path.GetDirectoryName(at))
        {
            if (Directory.Exists(Path.Combine(at, ".git")) || File.Exists(Path.Combine(at, ".git")))
            {
                root = at;
                break;
            }
        }

        root ??= IsBelow(folder, _workingDirectory) ? _workingDirectory : folder;
        _rootOfFolder[folder] = root;
        return root;
    }

    private static bool IsBelow(string path, string folder)
    {
        var relative = Path.GetRelativePath(folder, path);
        return relative == "." || (!relative.StartsWith("..", StringComparison.Ordinal) && !Path.IsPathRooted(relative));
    }

    // Forward slashes and escaped segments, as code scanning matches them against the repository.
    private static string Relative(string path) =>
        string.Join('/', path.Split(Path.DirectorySeparatorChar).Select(Uri.EscapeDataString));
}
