using System.Text;
using System.Text.Json.Nodes;

namespace PolicyWebhook.Policies.Yaml;

/// <summary>
/// Finds, without parsing YAML, the documents of a text whose top-level <c>apiVersion</c> and <c>kind</c> a reader
/// does not want (a CustomResourceDefinition when checking pods), so that building their tree can be skipped: most
/// of a big install manifest is CRDs. Only plain block-style documents qualify (one <c>apiVersion:</c> and one
/// <c>kind:</c> line at column 0, plain or quoted values); anything else is left to the YAML reader.
/// </summary>
internal static class TopLevelKinds
{
    /// <summary>A document to skip: its first line (from 0), its line count, and its apiVersion and kind.</summary>
    internal readonly record struct Skipped(int FirstLine, int LineCount, string ApiVersion, string Kind);

    /// <summary>
    /// The text with every skipped document's lines emptied (line numbers unchanged; the YAML reader sees empty
    /// documents there), and the documents skipped; the text itself when none is.
    /// </summary>
    public static (string Text, List<Skipped> Skipped) Blank(string text, List<int> starts, List<int> lineStarts, Func<string, string, bool> wanted)
    {
        var skipped = new List<Skipped>();
        if (text.Contains("\n...", StringComparison.Ordinal) || text.StartsWith('%') || text.Contains("\n%", StringComparison.Ordinal))
        {
            return (text, skipped); // document end markers or directives: leave it all to the reader
        }

        for (var i = 0; i < starts.Count; i++)
        {
            var first = starts[i];
            var end = i + 1 < starts.Count ? starts[i + 1] : lineStarts.Count;
            if (Identify(text, lineStarts, first, end) is var (apiVersion, kind) && !wanted(apiVersion, kind))
            {
                skipped.Add(new Skipped(first, end - first, apiVersion, kind));
            }
        }

        if (skipped.Count == 0)
        {
            return (text, skipped);
        }

        var kept = new StringBuilder(text.Length / 4);
        var next = 0;
        foreach (var s in skipped)
        {
            var from = lineStarts[s.FirstLine];
            kept.Append(text, next, from - next);
            // Keep the document marker line so the documents around stay apart; empty the rest.
            var firstIsMarker = text.AsSpan(from).StartsWith("---", StringComparison.Ordinal);
            kept.Append(firstIsMarker ? "---" : string.Empty).Append('\n', s.LineCount);
            next = s.FirstLine + s.LineCount < lineStarts.Count ? lineStarts[s.FirstLine + s.LineCount] : text.Length;
            if (next == text.Length && !text.EndsWith('\n'))
            {
                kept.Length--; // the text's last line had no line break
            }
        }

        kept.Append(text, next, text.Length - next);
        return (kept.ToString(), skipped);
    }

    /// <summary>The document a skipped entry stands for: its apiVersion and kind only.</summary>
    public static ManifestDocument Document(string source, Skipped skipped, string text, List<int> lineStarts) =>
        new(source, 0, FirstContentLine(text, lineStarts, skipped) + 1, new JsonObject { ["apiVersion"] = skipped.ApiVersion, ["kind"] = skipped.Kind }, new Dictionary<string, int>());

    public static List<int> LineStarts(string text)
    {
        var starts = new List<int> { 0 };
        for (var i = text.IndexOf('\n'); i >= 0; i = text.IndexOf('\n', i + 1))
        {
            if (i + 1 < text.Length)
            {
                starts.Add(i + 1);
            }
        }

        return starts;
    }

    private static int FirstContentLine(string text, List<int> lineStarts, Skipped skipped)
    {
        for (var line = skipped.FirstLine; line < skipped.FirstLine + skipped.LineCount; line++)
        {
            var content = Line(text, lineStarts, line);
            if (content.Length > 0 && content[0] is not ('#' or ' ' or '\t') && !content.StartsWith("---", StringComparison.Ordinal))
            {
                return line;
            }
        }

        return skipped.FirstLine;
    }

    /// <summary>The apiVersion and kind of a plain block-style document, or null when it is not plainly one.</summary>
    private static (string ApiVersion, string Kind)? Identify(string text, List<int> lineStarts, int first, int end)
    {
        string? apiVersion = null, kind = null;
        var sawContent = false;
        for (var line = first; line < end; line++)
        {
            var content = Line(text, lineStarts, line);
            if (line == first && content.StartsWith("---", StringComparison.Ordinal))
            {
                if (content.Length > 3 && content[3..].Trim().Length > 0 && content[3..].TrimStart()[0] != '#')
                {
                    return null; // content after the marker, on its line
                }

                continue;
            }

            if (content.IsEmpty || content[0] is ' ' or '#')
            {
                continue;
            }

            if (!sawContent && !IsKeyChar(content[0]))
            {
                return null; // flow style, a list, a tag, an anchor, a complex key: not plain block style
            }

            sawContent = true;
            if (content[0] == '\t')
            {
                return null;
            }

            if (content.StartsWith("apiVersion:", StringComparison.Ordinal))
            {
                if (apiVersion is not null || Value(content["apiVersion:".Length..]) is not { } value)
                {
                    return null;
                }

                apiVersion = value;
            }
            else if (content.StartsWith("kind:", StringComparison.Ordinal))
            {
                if (kind is not null || Value(content["kind:".Length..]) is not { } value)
                {
                    return null;
                }

                kind = value;
            }
            else if (content.StartsWith("<<", StringComparison.Ordinal) || content[0] is '"' or '\'' or '?' or '{' or '[' or '&' or '*' or '!')
            {
                return null; // a merge key or a quoted or complex key could hide another kind
            }
        }

        return apiVersion is not null && kind is not null ? (apiVersion, kind) : null;
    }

    private static bool IsKeyChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '/' or '-';

    /// <summary>A plain or quoted one-line scalar made of name characters, comment allowed; null for anything else.</summary>
    private static string? Value(ReadOnlySpan<char> rest)
    {
        var hash = rest.IndexOf(" #", StringComparison.Ordinal);
        var value = (hash >= 0 ? rest[..hash] : rest).Trim();
        if (value.Length >= 2 && (value[0] is '"' or '\'') && value[^1] == value[0])
        {
            value = value[1..^1];
        }

        if (value.IsEmpty)
        {
            return null;
        }

        foreach (var c in value)
        {
            if (!IsKeyChar(c))
            {
                return null;
            }
        }

        return value.ToString();
    }

    private static ReadOnlySpan<char> Line(string text, List<int> lineStarts, int line)
    {
        var start = lineStarts[line];
        var end = line + 1 < lineStarts.Count ? lineStarts[line + 1] - 1 : text.Length;
        var span = text.AsSpan(start, Math.Max(0, end - start));
        return span.EndsWith('\r') ? span[..^1] : span;
    }
}
