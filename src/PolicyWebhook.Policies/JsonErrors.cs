using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace PolicyWebhook.Policies;

/// <summary>Turns System.Text.Json errors into words for people: field paths as written, types as YAML calls them.</summary>
public static partial class JsonErrors
{
    /// <summary>A reading error as one short phrase: "unknown field ...", or "expected true or false".</summary>
    public static string Describe(JsonException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var message = error.Message;
        if (message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal))
        {
            return "unknown field (check its spelling against the policy reference)";
        }

        var target = TargetType().Match(message);
        if (!target.Success)
        {
            return "a value of the wrong type";
        }

        var type = target.Groups["type"].Value;
        return type switch
        {
            _ when type.Contains("Boolean", StringComparison.Ordinal) => "wrong type: expected true or false",
            _ when type.Contains("Int", StringComparison.Ordinal) || type.Contains("Decimal", StringComparison.Ordinal) || type.Contains("Double", StringComparison.Ordinal) => "wrong type: expected a number",
            "System.String" => "wrong type: expected a string",
            _ when type.Contains("List", StringComparison.Ordinal) || type.Contains("[]", StringComparison.Ordinal) => "wrong type: expected a list",
            _ => "wrong type: expected an object with fields",
        };
    }

    /// <summary>A JSON path as System.Text.Json writes it (<c>$.spec['limits.cpu']</c>) as a field path (<c>spec[limits.cpu]</c>).</summary>
    public static string FieldPath(string jsonPath)
    {
        ArgumentNullException.ThrowIfNull(jsonPath);
        var path = jsonPath.StartsWith("$.", StringComparison.Ordinal) ? jsonPath[2..] : jsonPath.TrimStart('$');
        return QuotedKey().Replace(path, "[$1]");
    }

    [GeneratedRegex(@"could not be converted to (?<type>[^.\s]+(\.[^.\s]+)*)\.")]
    private static partial Regex TargetType();

    [GeneratedRegex(@"\['([^']*)'\]")]
    private static partial Regex QuotedKey();
}

/// <summary>Reads a string field from a YAML number too (<c>limits.cpu: 4</c>), as Kubernetes does for quantities.</summary>
internal sealed class StringOrNumberConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
            _ => throw new JsonException($"The JSON value could not be converted to System.String."),
        };

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value);
    }
}
