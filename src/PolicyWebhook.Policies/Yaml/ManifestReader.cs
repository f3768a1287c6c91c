using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PolicyWebhook.Policies.Yaml;

/// <summary>How YAML text is read.</summary>
public enum YamlDialect
{
    /// <summary>The YAML 1.2 core schema, merge keys refused: policies, whose every field is checked.</summary>
    Strict,

    /// <summary>As kubectl reads manifests (go-yaml, YAML 1.1): yes/no/on/off are booleans and merge keys (&lt;&lt;) merge.</summary>
    Kubectl,
}

/// <summary>One document of a file: read, or the problem that stopped it (the other documents are read all the same).</summary>
public sealed record ManifestEntry(ManifestDocument? Document, ManifestReadException? Error, int Line);

/// <summary>
/// Reads YAML or JSON text (several documents per file) into JSON objects, remembering the line of every field so
/// errors found later can point at it. Scalars follow the YAML 1.2 core schema, or YAML 1.1's booleans as kubectl
/// reads them; a document that expands past a node budget (alias bombs) is refused rather than allowed to eat memory.
/// </summary>
public static class ManifestReader
{
    /// <summary>The most nodes one document may expand to, aliases included.</summary>
    public const int MaxNodesPerDocument = 1_000_000;

    /// <summary>The deepest nesting of mappings and sequences accepted; real manifests stay far below it.</summary>
    public const int MaxDepth = 100;

    // An alias name is text from the file, and may be a secret that starts with '*': the message never repeats it.
    /// <summary>The problem of a document that is a list or a scalar: a kustomize JSON patch, say.</summary>
    public const string NotAMapping = "document is not a mapping (an object with apiVersion and kind)";

    private const string UndefinedAlias = "is not valid YAML: an alias (*...) refers to no anchor; quote a value that starts with '*'";

    public static IReadOnlyList<ManifestDocument> ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Read(ReadText(path), path);
    }

    /// <summary>The text of a file; a file that cannot be read throws <see cref="ManifestReadException"/> at line 0.</summary>
    public static string ReadText(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ManifestReadException(path, 0, "cannot be read: " + e.Message);
        }
    }

    /// <summary>Every document of the text, strictly; the first problem throws.</summary>
    public static IReadOnlyList<ManifestDocument> Read(string text, string source)
    {
        var entries = ReadEach(text, source, YamlDialect.Strict);
        return entries.FirstOrDefault(e => e.Error is not null)?.Error is { } error ? throw error : [.. entries.Select(e => e.Document!)];
    }

    /// <summary>
    /// Every document of the text, each read or failed on its own: a broken document (invalid YAML, a duplicate key,
    /// not a mapping) fails alone, and the documents around it are still read.
    /// </summary>
    /// <remarks>
    /// With <paramref name="wanted"/>, a plain block-style document whose top-level apiVersion and kind it refuses is
    /// not parsed at all: its entry holds those two fields only. (Most of a big install manifest is
    /// CustomResourceDefinitions, which the command line only counts.) Such a document's YAML is then not checked.
    /// </remarks>
    public static IReadOnlyList<ManifestEntry> ReadEach(string text, string source, YamlDialect dialect, Func<string, string, bool>? wanted = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (wanted is not null && Separators(text) is { Count: > 1 } documentStarts
            && TopLevelKinds.LineStarts(text) is var lineStarts && WellFormed(text, documentStarts, lineStarts))
        {
            var (kept, skipped) = TopLevelKinds.Blank(text, documentStarts, lineStarts, wanted);
            if (skipped.Count > 0)
            {
                var read = ReadEach(kept, source, dialect);
                var stubs = skipped.Select(d => TopLevelKinds.Document(source, d, text, lineStarts)).Select(d => new ManifestEntry(d, null, d.Line));
                return Renumber([.. read.Concat(stubs).OrderBy(e => e.Line)], source);
            }
        }

        try
        {
            return LoadAll(text, source, dialect);
        }
        catch (ManifestReadException) when (Separators(text).Count > 1)
        {
            // The stream did not parse as a whole: parse each document alone, padded with empty lines so every line
            // number stays the file's own. A document marker (---) at the start of a line always ends the previous one.
            var starts = Separators(text);
            var lines = text.Split('\n');
            var entries = new List<ManifestEntry>();
            for (var i = 0; i < starts.Count; i++)
            {
                var end = i + 1 < starts.Count ? starts[i + 1] : lines.Length;
                var chunk = new string('\n', starts[i]) + string.Join('\n', lines[starts[i]..end]);
                try
                {
                    entries.AddRange(LoadAll(chunk, source, dialect));
                }
                catch (ManifestReadException e)
                {
                    entries.Add(new ManifestEntry(null, e, e.Line));
                }
            }

            return Renumber(entries, source);
        }
        catch (ManifestReadException e)
        {
            return [new ManifestEntry(null, e, e.Line)];
        }
    }

    // The first line (from 0) of each document: 0, and every line that starts with a document marker.
    private static List<int> Separators(string text)
    {
        var starts = new List<int> { 0 };
        var line = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\n')
            {
                continue;
            }

            line++;
            if (string.CompareOrdinal(text, i + 1, "---", 0, 3) == 0 && (i + 4 >= text.Length || char.IsWhiteSpace(text[i + 4])))
            {
                starts.Add(line);
            }
        }

        return starts;
    }

    private static List<ManifestEntry> Renumber(List<ManifestEntry> entries, string source)
    {
        var index = 0;
        return [.. entries.Select(e => e.Document is { } d
            ? e with { Document = new ManifestDocument(source, index++, d.Line, d.Root, d.Lines) }
            : e)];
    }

    private static List<ManifestEntry> LoadAll(string text, string source, YamlDialect dialect)
    {
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

        var entries = new List<ManifestEntry>();
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
                entries.Add(new ManifestEntry(null, new ManifestReadException(source, line, NotAMapping), line));
                continue;
            }

            try
            {
                var lines = new Dictionary<string, int>(StringComparer.Ordinal);
                var budget = MaxNodesPerDocument;
                var json = (JsonObject)new Converter(source, dialect, lines).Convert(root, "$", ref budget)!;
                entries.Add(new ManifestEntry(new ManifestDocument(source, index++, line, json, lines), null, line));
            }
            catch (ManifestReadException e)
            {
                entries.Add(new ManifestEntry(null, e, line));
            }
        }

        return entries;
    }

    /// <summary>
    /// True when one pass of the event parser finds none of the problems reading the tree would report (invalid
    /// YAML, nesting, undefined aliases, duplicate or non-scalar keys, merge keys): documents may then be skipped
    /// unparsed, and nothing goes unreported. Otherwise every document is read, each problem in its own words.
    /// </summary>
    /// <remarks>
    /// The documents are checked on all cores at once, in batches of about 256 KB: a document marker at the start of
    /// a line always ends the document before it (the per-document fallback of <see cref="ReadEach"/> relies on the
    /// same rule), and anchors never reach across documents, so the batches answer what the whole text would.
    /// </remarks>
    private static bool WellFormed(string text, List<int> documentStarts, List<int> lineStarts)
    {
        var batches = Batches(text, documentStarts, lineStarts, 256 * 1024);
        if (batches.Count == 1)
        {
            return WellFormed(text);
        }

        var broken = 0;
        Parallel.ForEach(batches, (batch, state) =>
        {
            if (!WellFormed(text[batch]))
            {
                Interlocked.Exchange(ref broken, 1);
                state.Stop();
            }
        });
        return broken == 0;
    }

    // Consecutive runs of whole documents, each at least `size` characters long (the last one shorter).
    private static List<Range> Batches(string text, List<int> documentStarts, List<int> lineStarts, int size)
    {
        var batches = new List<Range>();
        var start = 0;
        foreach (var line in documentStarts.Skip(1))
        {
            if (lineStarts[line] - start >= size)
            {
                batches.Add(start..lineStarts[line]);
                start = lineStarts[line];
            }
        }

        batches.Add(start..text.Length);
        return batches;
    }

    private static bool WellFormed(string text)
    {
        var parser = new Parser(new StringReader(text));
        var depth = 0;
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        // Per open collection: its keys so far when it is a mapping (null for a sequence), and whether a key is next.
        var keys = new Stack<(HashSet<string>? Keys, bool KeyNext)>();
        try
        {
            while (parser.MoveNext())
            {
                var current = parser.Current!;
                if (current is YamlDotNet.Core.Events.NodeEvent { Anchor.IsEmpty: false } anchored)
                {
                    anchors.Add(anchored.Anchor.Value);
                }

                if (current is YamlDotNet.Core.Events.NodeEvent && keys.TryPeek(out var open) && open.Keys is { } seen)
                {
                    if (open.KeyNext && (current is not YamlDotNet.Core.Events.Scalar key || key.Value == "<<" || !seen.Add(key.Value)))
                    {
                        return false; // a non-scalar, merge or duplicate key
                    }

                    keys.Pop();
                    keys.Push((seen, !open.KeyNext));
                }

                switch (current)
                {
                    case YamlDotNet.Core.Events.DocumentStart:
                        anchors.Clear();
                        break;
                    case YamlDotNet.Core.Events.AnchorAlias alias when !anchors.Contains(alias.Value.Value):
                        return false;
                    case YamlDotNet.Core.Events.MappingStart or YamlDotNet.Core.Events.SequenceStart:
                        if (++depth > MaxDepth)
                        {
                            return false;
                        }

                        keys.Push((current is YamlDotNet.Core.Events.MappingStart ? new HashSet<string>(StringComparer.Ordinal) : null, true));
                        break;
                    case YamlDotNet.Core.Events.MappingEnd or YamlDotNet.Core.Events.SequenceEnd:
                        depth--;
                        keys.Pop();
                        break;
                }
            }
        }
        catch (Exception)
        {
            // Any problem at all (YamlException, or whatever else the parser throws): the text is read in full,
            // document by document, which reports it as before.
            return false;
        }

        return true;
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

    private static string Clean(YamlException e) =>
        (e.InnerException?.Message ?? e.Message).Replace("\r", string.Empty, StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

}
