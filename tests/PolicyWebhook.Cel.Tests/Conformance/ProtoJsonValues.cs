using System.Globalization;
using System.Text.Json;
using PolicyWebhook.Cel.Functions;
using PolicyWebhook.Cel.Values;

namespace PolicyWebhook.Cel.Tests.Conformance;

/// <summary>Reads a <c>cel.expr.Value</c> in protobuf JSON form (see Conformance/cel-spec/README.md) into the CEL value model.</summary>
internal static class ProtoJsonValues
{
    public static object? Read(JsonElement value)
    {
        var property = value.EnumerateObject().Single();
        var v = property.Value;
        return property.Name switch
        {
            "null_value" => null,
            "bool_value" => v.GetBoolean(),
            "int64_value" => long.Parse(v.GetString()!, CultureInfo.InvariantCulture),
            "uint64_value" => ulong.Parse(v.GetString()!, CultureInfo.InvariantCulture),
            "double_value" => v.ValueKind == JsonValueKind.String ? Special(v.GetString()!) : v.GetDouble(),
            "string_value" => v.GetString(),
            "bytes_value" => new CelBytes(Convert.FromBase64String(v.GetString()!)),
            "list_value" => v.TryGetProperty("values", out var items) ? items.EnumerateArray().Select(Read).ToArray() : Array.Empty<object?>(),
            "map_value" => Map(v),
            "type_value" => CelType.Find(v.GetString()!) ?? throw new NotSupportedException("type " + v.GetString()),
            "object_value" => WellKnown(v),
            _ => throw new NotSupportedException(property.Name),
        };
    }

    private static double Special(string text) => text switch
    {
        "NaN" => double.NaN,
        "Infinity" => double.PositiveInfinity,
        "-Infinity" => double.NegativeInfinity,
        _ => double.Parse(text, CultureInfo.InvariantCulture),
    };

    private static CelMap Map(JsonElement v)
    {
        var map = new CelMap();
        if (v.TryGetProperty("entries", out var entries))
        {
            foreach (var entry in entries.EnumerateArray())
            {
                map.TryAdd(Read(entry.GetProperty("key"))!, Read(entry.GetProperty("value")));
            }
        }

        return map;
    }

    private static object WellKnown(JsonElement v)
    {
        var type = v.GetProperty("@type").GetString()!;
        var text = v.GetProperty("value").GetString()!;
        return type switch
        {
            "type.googleapis.com/google.protobuf.Timestamp" => TimeValues.ParseTimestamp(text),
            "type.googleapis.com/google.protobuf.Duration" => TimeValues.ParseDuration(text),
            _ => throw new NotSupportedException(type),
        };
    }
}
