using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace PolicyWebhook.Policies.Yaml;

/// <summary>One document of a YAML or JSON file, as JSON, with where it came from and where each field stands.</summary>
public sealed partial class ManifestDocument
{
    private readonly IReadOnlyDictionary<string, int> _lines;

    internal ManifestDocument(string source, int index, int line, JsonObject root, IReadOnlyDictionary<string, int> lines)
    {
        Source = source;
        Index = index;
        Line = line;
        Root = root;
        _lines = lines;
    }

    /// <summary>The file (or other source) the document was read from.</summary>
    public string Source { get; }

    /// <summary>The document's position in its file, from 0.</summary>
    public int Index { get; }

    /// <summary>The line the document starts on, from 1.</summary>
    public int Line { get; }

    public JsonObject Root { get; }

    internal IReadOnlyDictionary<string, int> Lines => _lines;

    public string? ApiVersion => Root["apiVersion"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public string? Kind => Root["kind"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>The line of a field given as a JSON path (<c>$.spec.rules</c>) or a field path (<c>spec.rules</c>); the nearest enclosing field's line when it is not there.</summary>
    public int LineOf(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return Line;
        }

        // Validation names map entries as maximums[limits.cpu]; the line index keys them as maximums.limits.cpu.
        var key = "$." + MapKey().Replace(JsonErrors.FieldPath(path), ".$1");
        while (key.Length > 1)
        {
            if (_lines.TryGetValue(key, out var line))
            {
                return line;
            }

            var cut = Math.Max(key.LastIndexOf('.'), key.LastIndexOf('['));
            if (cut <= 0)
            {
                break;
            }

            key = key[..cut];
        }

        return Line;
    }

    [GeneratedRegex(@"\[([^\]0-9][^\]]*)\]")]
    private static partial Regex MapKey();
}
