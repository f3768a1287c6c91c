using System.Text.Json.Nodes;
using PolicyWebhook.Policies.Yaml;

namespace PolicyWebhook.Cli.Commands;

/// <summary>
/// Finds the files a kustomization names as patches: they look like objects but are fragments, and checking them
/// would report fields the patch leaves to its base.
/// </summary>
internal static class KustomizePatches
{
    private static readonly string[] Names = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

    /// <summary>The full path of each patch file the kustomizations among <paramref name="files"/> name, with the kustomization naming it.</summary>
    public static Dictionary<string, string> Find(IEnumerable<string> files)
    {
        var patches = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in files.Where(f => Names.Contains(Path.GetFileName(f), StringComparer.Ordinal)))
        {
            var folder = Path.GetDirectoryName(file) ?? string.Empty;
            try
            {
                foreach (var entry in ManifestReader.ReadEach(ManifestReader.ReadText(file), file, YamlDialect.Kubectl))
                {
                    foreach (var patch in PatchPaths(entry.Document?.Root))
                    {
                        patches.TryAdd(Path.GetFullPath(Path.Combine(folder, patch)), file);
                    }
                }
            }
            catch (ManifestReadException)
            {
                // The kustomization is reported as unreadable where it is read as a manifest.
            }
        }

        return patches;
    }

    private static IEnumerable<string> PatchPaths(JsonObject? root)
    {
        if (root is null)
        {
            yield break;
        }

        foreach (var field in new[] { "patchesStrategicMerge", "patches", "patchesJson6902" })
        {
            if (root[field] is not JsonArray list)
            {
                continue;
            }

            foreach (var item in list)
            {
                var path = item is JsonValue v && v.TryGetValue<string>(out var s) ? s
                    : item is JsonObject o && o["path"] is JsonValue p && p.TryGetValue<string>(out var t) ? t
                    : null;
                if (path is not null && !path.Contains('\n', StringComparison.Ordinal))
                {
                    yield return path;
                }
            }
        }
    }
}
