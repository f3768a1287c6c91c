using System.Text;
using System.Text.Json.Nodes;

namespace PolicyWebhook.Engine.Mutation;

/// <summary>
/// The RFC 6902 JSON Patch that turns one document into another. Mutators change a copy of the object and this
/// writes the difference, so no mutator writes patch operations by hand.
/// </summary>
public static class JsonPatchDiff
{
    /// <summary>
    /// The operations that turn <paramref name="from"/> into <paramref name="to"/>; empty when they are equal.
    /// <paramref name="basePath"/> is the JSON Pointer of both within a larger document, such as <c>/spec/template/spec</c>.
    /// </summary>
    public static JsonArray Diff(JsonNode? from, JsonNode? to, string basePath = "")
    {
        ArgumentNullException.ThrowIfNull(basePath);
        var patch = new JsonArray();
        Walk(from, to, basePath, patch);
        return patch;
    }

    /// <summary>Escapes one path segment: <c>~</c> as <c>~0</c>, <c>/</c> as <c>~1</c>.</summary>
    public static string Escape(string segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        return segment.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
    }

    private static void Walk(JsonNode? from, JsonNode? to, string path, JsonArray patch)
    {
        if (from is JsonObject a && to is JsonObject b)
        {
            foreach (var (key, value) in a)
            {
                if (!b.ContainsKey(key))
                {
                    patch.Add(Op("remove", path + "/" + Escape(key), null, false));
                }
            }

            foreach (var (key, value) in b)
            {
                var child = path + "/" + Escape(key);
                if (!a.TryGetPropertyValue(key, out var old))
                {
                    patch.Add(Op("add", child, value, true));
                }
                else
                {
                    Walk(old, value, child, patch);
                }
            }

            return;
        }

        if (from is JsonArray x && to is JsonArray y && y.Count >= x.Count)
        {
            for (var i = 0; i < x.Count; i++)
            {
                Walk(x[i], y[i], path + "/" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), patch);
            }

            for (var i = x.Count; i < y.Count; i++)
            {
                patch.Add(Op("add", path + "/-", y[i], true));
            }

            return;
        }

        if (!JsonNode.DeepEquals(from, to))
        {
            patch.Add(Op("replace", path, to, true));
        }
    }

    private static JsonObject Op(string op, string path, JsonNode? value, bool hasValue)
    {
        var operation = new JsonObject { ["op"] = op, ["path"] = path };
        if (hasValue)
        {
            operation["value"] = value?.DeepClone();
        }

        return operation;
    }

    /// <summary>The patch as the UTF-8 bytes an AdmissionReview carries (before base64).</summary>
    public static byte[] ToUtf8(JsonArray patch)
    {
        ArgumentNullException.ThrowIfNull(patch);
        return Encoding.UTF8.GetBytes(patch.ToJsonString());
    }
}
