using System.Text.Json.Nodes;

namespace PolicyWebhook.Host.Images;

/// <summary>
/// The registry credentials of the docker-config Secrets the chart mounts (<c>NAME/.dockerconfigjson</c> under one
/// folder), merged into one config: where two name the same registry, the first Secret by name wins.
/// </summary>
public static class RegistryCredentials
{
    public const string FileName = ".dockerconfigjson";

    /// <summary>One docker config JSON with every mounted Secret's <c>auths</c>; null when none is mounted.</summary>
    public static string? Merge(string? folder)
    {
        if (folder is null || !Directory.Exists(folder))
        {
            return null;
        }

        var auths = new JsonObject();
        foreach (var secret in Directory.GetDirectories(folder).Order(StringComparer.Ordinal))
        {
            var file = Path.Combine(secret, FileName);
            if (!File.Exists(file))
            {
                continue;
            }

            JsonNode? config;
            try
            {
                config = JsonNode.Parse(File.ReadAllText(file));
            }
            catch (System.Text.Json.JsonException)
            {
                // The message could quote the file's text, which holds passwords: name the Secret only.
                throw new FormatException($"registry credentials Secret \"{Path.GetFileName(secret)}\" holds no valid docker config JSON");
            }

            if (config?["auths"] is JsonObject entries)
            {
                foreach (var (registry, entry) in entries)
                {
                    if (!auths.ContainsKey(registry))
                    {
                        auths[registry] = entry?.DeepClone();
                    }
                }
            }
        }

        return auths.Count == 0 ? null : new JsonObject { ["auths"] = auths }.ToJsonString();
    }
}
