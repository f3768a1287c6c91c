using System.Text.Json.Nodes;

namespace PolicyWebhook.Engine.Mutation;

/// <summary>
/// Pins verified images to their digests in a pod spec: <c>shop/app:1.0</c> becomes <c>shop/app:1.0@sha256:…</c>, so the
/// kubelet pulls exactly what was verified even if the tag moves. Only images named in the map change.
/// </summary>
public static class ImagePins
{
    private static readonly string[] Lists = ["initContainers", "containers"];

    /// <summary>
    /// Replaces each container image found in <paramref name="pins"/>; returns how many changed. With
    /// <paramref name="ephemeralOnly"/>, only the ephemeral containers of those names (the ones <c>kubectl debug</c> adds).
    /// </summary>
    public static int Apply(JsonObject spec, IReadOnlyDictionary<string, string> pins, IReadOnlySet<string>? ephemeralOnly = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(pins);
        var changed = 0;
        if (pins.Count == 0)
        {
            return changed;
        }

        foreach (var list in ephemeralOnly is null ? Lists : ["ephemeralContainers"])
        {
            if (spec[list] is not JsonArray containers)
            {
                continue;
            }

            foreach (var container in containers)
            {
                if (container is JsonObject fields
                    && (ephemeralOnly is null || (fields["name"] is JsonValue name && name.TryGetValue<string>(out var named) && ephemeralOnly.Contains(named)))
                    && fields["image"] is JsonValue value && value.TryGetValue<string>(out var image)
                    && pins.TryGetValue(image, out var pinned))
                {
                    fields["image"] = pinned;
                    changed++;
                }
            }
        }

        return changed;
    }
}
