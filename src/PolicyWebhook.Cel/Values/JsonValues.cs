using System.Text.Json;

namespace PolicyWebhook.Cel.Values;

/// <summary>Turns JSON (a Kubernetes object as the API server sends it) into CEL values: objects become maps, whole numbers int, others double.</summary>
public static class JsonValues
{
    public static object? From(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => FromObject(element),
        JsonValueKind.Array => element.EnumerateArray().Select(From).ToArray(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var l) ? l : element.GetDouble(),
        JsonValueKind.True => CelValues.True,
        JsonValueKind.False => CelValues.False,
        _ => null,
    };

    private static CelMap FromObject(JsonElement element)
    {
        var map = new CelMap();
        foreach (var property in element.EnumerateObject())
        {
            map.TryAdd(property.Name, From(property.Value));
        }

        return map;
    }
}
