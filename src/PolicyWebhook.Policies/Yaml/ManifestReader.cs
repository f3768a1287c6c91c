using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PolicyWebhook.Policies.Yaml;

/// <summary>
/// Reads YAML or JSON text (several documents per file) into JSON objects, remembering the line of every field so
/// errors found later can point at it. Scalars follow the YAML 1.2 core schema; a document that expands past a
/// node budget (alias bombs) is refused rather than allowed to eat memory.
/// </summary>
public static partial class ManifestReader
{
    /// <summary>The most nodes one document may expand to, aliases included.</summary>
    public const int MaxNodesPerDocument = 1_000_000;

    /// <summary>The deepest nesting of mappings and sequences accepted; real manifests stay far below it.</summary>
    public const int MaxDepth = 100;

    // An alias name is text from the file, and may be a secret that starts with '*': the message never repeats it.
    private const string UndefinedAlias = "is not valid YAML: an alias (*...) refers to no anchor; quote a value that starts with '*'";

    public static IReadOnlyList<ManifestDocument> ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ManifestReadException(path, 0, "cannot be read: " + e.Message);
        }

        return Read(text, path);
    }

    public static IReadOnlyList<ManifestDocument> Read(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var stream = new YamlStream();
        try
        {
            // Loading builds the node tree recursively: refuse absurd nesting first, with the flat event parser.
            CheckDepth(text, source);
            stream.Load(new StringReader(text));
        }
        catch (AnchorNotFoundException e)
        {
            // CheckDepth reports undefined aliases first, at their own line; this keeps the name out if one slips past.
            throw new ManifestReadException(source, (int)e.Start.Line, UndefinedAlias);
        }
        catch (YamlException e)
        {
            throw new ManifestReadException(source, (int)e.Start.Line, "is not valid YAML: " + Clean(e));
        }

        var documents = new List<ManifestDocument>();
        var index = 0;
        foreach (var document in stream.Documents)
        {
            var root = document.RootNode;
            var line = (int)root.Start.Line;
            if (root is YamlScalarNode { Value: null or "" or "~" or "null" } && root.Tag.IsEmpty)
            {
                continue; // an empty document between separators
            }

            if (root is not YamlMappingNode)
            {
                throw new ManifestReadException(source, line, "document is not a mapping (an object with apiVersion and kind)");
            }

            var lines = new Dictionary<string, int>(StringComparer.Ordinal);
            var budget = MaxNodesPerDocument;
            var json = (JsonObject)Convert(root, "$", lines, ref budget, source)!;
            documents.Add(new ManifestDocument(source, index++, line, json, lines));
        }

        return documents;
    }

    private static void CheckDepth(string text, string source)
    {
        var parser = new Parser(new StringReader(text));
        var depth = 0;
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        while (parser.MoveNext())
        {
            if (parser.Current is YamlDotNet.Core.Events.NodeEvent { Anchor.IsEmpty: false } anchored)
            {
                anchors.Add(anchored.Anchor.Value);
            }

            switch (parser.Current)
            {
                case YamlDotNet.Core.Events.DocumentStart:
                    anchors.Clear();
                    break;
                case YamlDotNet.Core.Events.AnchorAlias alias when !anchors.Contains(alias.Value.Value):
                    throw new ManifestReadException(source, (int)alias.Start.Line, UndefinedAlias);
                case YamlDotNet.Core.Events.MappingStart or YamlDotNet.Core.Events.SequenceStart:
                    if (++depth > MaxDepth)
                    {
                        throw new ManifestReadException(source, (int)parser.Current.Start.Line, $"nests deeper than {MaxDepth} levels");
                    }

                    break;
                case YamlDotNet.Core.Events.MappingEnd or YamlDotNet.Core.Events.SequenceEnd:
                    depth--;
                    break;
            }
        }
    }

    private static JsonNode? Convert(YamlNode node, string path, Dictionary<string, int> lines, ref int budget, string source)
    {
        if (--budget < 0)
        {
            throw new ManifestReadException(source, (int)node.Start.Line, $"document expands to more than {MaxNodesPerDocument} nodes (aliases?)");
        }

        lines.TryAdd(path, (int)node.Start.Line);
        switch (node)
        {
            case YamlMappingNode mapping:
                var obj = new JsonObject();
                foreach (var (keyNode, valueNode) in mapping.Children)
                {
                    var key = keyNode is YamlScalarNode scalarKey ? scalarKey.Value ?? string.Empty
                        : throw new ManifestReadException(source, (int)keyNode.Start.Line, "a mapping key must be a scalar");
                    if (key == "<<")
                    {
                        throw new ManifestReadException(source, (int)keyNode.Start.Line, "merge keys (<<) are not supported in manifests");
                    }

                    if (obj.ContainsKey(key))
                    {
                        throw new ManifestReadException(source, (int)keyNode.Start.Line, $"duplicate key \"{key}\"");
                    }

                    // A field's line is its key's line, where a reader looks for it.
                    lines.TryAdd(path + "." + key, (int)keyNode.Start.Line);
                    obj[key] = Convert(valueNode, path + "." + key, lines, ref budget, source);
                }

                return obj;
            case YamlSequenceNode sequence:
                var array = new JsonArray();
                var i = 0;
                foreach (var item in sequence.Children)
                {
                    array.Add(Convert(item, string.Create(CultureInfo.InvariantCulture, $"{path}[{i++}]"), lines, ref budget, source));
                }

                return array;
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                throw new ManifestReadException(source, (int)node.Start.Line, "unsupported YAML node");
        }
    }

    private static JsonValue? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? string.Empty;
        var tag = scalar.Tag.IsEmpty ? null : scalar.Tag.Value;
        if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded
            || tag == "tag:yaml.org,2002:str")
        {
            return JsonValue.Create(value);
        }

        switch (value)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }

        if (Integer().IsMatch(value) && long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            return JsonValue.Create(number);
        }

        if (Float().IsMatch(value) && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && double.IsFinite(real))
        {
            return JsonValue.Create(real);
        }

        return JsonValue.Create(value);
    }

    private static string Clean(YamlException e) =>
        (e.InnerException?.Message ?? e.Message).Replace("\r", string.Empty, StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex Integer();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex Float();
}
