using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PolicyWebhook.Policies.Yaml;

/// <summary>Turns one YAML document into JSON, recording the line of every field, in the dialect asked for.</summary>
internal sealed partial class Converter(string source, YamlDialect dialect, Dictionary<string, int> lines)
{
    private const string MergeKey = "<<";

    public JsonNode? Convert(YamlNode node, string path, ref int budget)
    {
        if (--budget < 0)
        {
            throw new ManifestReadException(source, (int)node.Start.Line, $"document expands to more than {ManifestReader.MaxNodesPerDocument} nodes (aliases?)");
        }

        lines.TryAdd(path, (int)node.Start.Line);
        switch (node)
        {
            case YamlMappingNode mapping:
                var obj = new JsonObject();
                List<YamlNode>? merges = null;
                foreach (var (keyNode, valueNode) in mapping.Children)
                {
                    var key = keyNode is YamlScalarNode scalarKey ? scalarKey.Value ?? string.Empty
                        : throw new ManifestReadException(source, (int)keyNode.Start.Line, "a mapping key must be a scalar");
                    if (key == MergeKey && keyNode is YamlScalarNode { Style: ScalarStyle.Plain })
                    {
                        if (dialect == YamlDialect.Strict)
                        {
                            throw new ManifestReadException(source, (int)keyNode.Start.Line, "merge keys (<<) are not supported in policies");
                        }

                        (merges ??= []).Add(valueNode);
                        continue;
                    }

                    if (obj.ContainsKey(key))
                    {
                        throw new ManifestReadException(source, (int)keyNode.Start.Line, $"duplicate key \"{key}\"");
                    }

                    // A field's line is its key's line, where a reader looks for it.
                    lines.TryAdd(path + "." + key, (int)keyNode.Start.Line);
                    obj[key] = Convert(valueNode, path + "." + key, ref budget);
                }

                // Merged mappings fill only the keys the mapping does not set itself, the first merged winning (YAML 1.1).
                foreach (var merged in merges ?? [])
                {
                    var sources = merged is YamlSequenceNode many ? many.Children : (IEnumerable<YamlNode>)[merged];
                    foreach (var from in sources)
                    {
                        if (from is not YamlMappingNode fromMapping)
                        {
                            throw new ManifestReadException(source, (int)from.Start.Line, "a merge key (<<) must refer to a mapping");
                        }

                        foreach (var (keyNode, valueNode) in fromMapping.Children)
                        {
                            var key = (keyNode as YamlScalarNode)?.Value ?? string.Empty;
                            if (!obj.ContainsKey(key) && key != MergeKey)
                            {
                                lines.TryAdd(path + "." + key, (int)keyNode.Start.Line);
                                obj[key] = Convert(valueNode, path + "." + key, ref budget);
                            }
                        }
                    }
                }

                return obj;
            case YamlSequenceNode sequence:
                var array = new JsonArray();
                var i = 0;
                foreach (var item in sequence.Children)
                {
                    array.Add(Convert(item, string.Create(CultureInfo.InvariantCulture, $"{path}[{i++}]"), ref budget));
                }

                return array;
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                throw new ManifestReadException(source, (int)node.Start.Line, "unsupported YAML node");
        }
    }

    private JsonValue? Scalar(YamlScalarNode scalar)
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

        // kubectl reads YAML 1.1 (go-yaml v2), whose booleans include these: privileged: yes is true.
        if (dialect == YamlDialect.Kubectl)
        {
            switch (value)
            {
                case "y" or "Y" or "yes" or "Yes" or "YES" or "on" or "On" or "ON":
                    return JsonValue.Create(true);
                case "n" or "N" or "no" or "No" or "NO" or "off" or "Off" or "OFF":
                    return JsonValue.Create(false);
            }
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

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex Integer();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex Float();
}
