using System.Text.Json.Nodes;

namespace PolicyWebhook.Host.Tests;

/// <summary>Applies an RFC 6902 patch (add, remove, replace) the way the API server would, to check what /mutate sends.</summary>
internal static class JsonPatchApplier
{
    public static JsonObject Apply(JsonObject document, JsonArray patch)
    {
        var result = (JsonObject)document.DeepClone();
        foreach (var operation in patch)
        {
            var op = operation!["op"]!.GetValue<string>();
            var segments = operation["path"]!.GetValue<string>().Split('/')[1..].Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();
            JsonNode parent = result;
            foreach (var segment in segments[..^1])
            {
                parent = parent is JsonArray array ? array[int.Parse(segment, System.Globalization.CultureInfo.InvariantCulture)]! : parent[segment]
                    ?? throw new InvalidOperationException($"path {operation["path"]} does not exist");
            }

            var last = segments[^1];
            var value = operation["value"]?.DeepClone();
            switch (op, parent)
            {
                case ("add", JsonArray list) when last == "-":
                    list.Add(value);
                    break;
                case ("add" or "replace", JsonObject obj):
                    if (op == "replace" && !obj.ContainsKey(last))
                    {
                        throw new InvalidOperationException($"replace of missing {operation["path"]}");
                    }

                    obj[last] = value;
                    break;
                case ("remove", JsonObject obj):
                    obj.Remove(last);
                    break;
                default:
                    throw new NotSupportedException($"{op} on {parent.GetType().Name}");
            }
        }

        return result;
    }
}
