using System.Text.Json;
using System.Text.Json.Nodes;
using PolicyWebhook.Engine;
using PolicyWebhook.Engine.Workloads;
using PolicyWebhook.Policies;
using PolicyWebhook.Policies.Yaml;

namespace PolicyWebhook.Cli.Commands;

/// <summary>The verdict on one object of one file.</summary>
internal sealed record ObjectResult(string Source, int Index, int Line, EvaluationResult Result)
{
    /// <summary>The document the object was read from, to find the line of a field.</summary>
    public ManifestDocument? Document { get; init; }

    /// <summary>Where the object stands in its document: <c>$</c>, or <c>$.items[3]</c> in a List.</summary>
    public string PathPrefix { get; init; } = "$";

    /// <summary>The line of a violation's field, or the object's own line when it cannot be found.</summary>
    public int LineOf(string? fieldPath) =>
        Document is null || string.IsNullOrEmpty(fieldPath) ? Line : Document.LineOf(PathPrefix == "$" ? fieldPath : PathPrefix[2..] + "." + fieldPath);
}

/// <summary>A document that is not a Kubernetes object to check, and why.</summary>
internal sealed record SkippedDocument(string Source, int Line, string Reason);

/// <summary>What a check run found: a verdict per workload, the problems that stopped a file, and how many documents were not workloads.</summary>
internal sealed record CheckRun(List<ObjectResult> Results, List<string> Errors, int Skipped)
{
    /// <summary>Documents that are not Kubernetes objects (kustomize patches, values files), with the reason.</summary>
    public List<SkippedDocument> NotObjects { get; init; } = [];

    /// <summary>Folders left out, as notes for the user.</summary>
    public List<string> Notes { get; init; } = [];

    /// <summary>Files that could not be read, or read only in part.</summary>
    public int UnreadableFiles { get; init; }

    /// <summary>Kubernetes objects read, checked or not (workloads, other kinds, exempt ones).</summary>
    public int ObjectsFound { get; init; }
}

/// <summary>A manifest file or folder to read (<c>-</c> for standard input); a folder is searched below its top only when <paramref name="Recursive"/>.</summary>
internal readonly record struct ManifestPath(string Path, bool Recursive = true);

/// <summary>Where the manifests will be applied: the namespace of objects naming none, and the namespaces the webhook exempts.</summary>
internal sealed record CheckOptions(string? Namespace, IReadOnlySet<string> Exempt)
{
    public static CheckOptions None { get; } = new(null, new HashSet<string>());
}

/// <summary>Reads manifests (files, folders, or <c>-</c> for standard input) and evaluates every workload in them.</summary>
internal static class CheckRunner
{
    /// <summary>The path that means standard input, as kubectl takes it.</summary>
    public const string StandardInput = "-";

    public static CheckRun Run(IEnumerable<ManifestPath> paths, PolicyEvaluator evaluator, TextReader? input = null, CheckOptions? options = null)
    {
        var results = new List<ObjectResult>();
        var errors = new List<string>();
        var notObjects = new List<SkippedDocument>();
        var notes = new List<string>();
        var unreadable = new HashSet<string>(StringComparer.Ordinal);
        var skipped = 0;
        var exempt = 0;

        // Offline, an object without a namespace has none: kubectl would put it in the context's namespace, unknown here.
        options ??= CheckOptions.None;
        var context = new EvaluationContext(options.Namespace ?? string.Empty);
        var list = paths.ToList();
        var dotFolders = new List<string>();
        var files = new List<string>();
        foreach (var path in list.Where(p => p.Path != StandardInput))
        {
            files.AddRange(ManifestFiles.Expand([path.Path], errors, dotFolders, path.Recursive));
        }

        unreadable.UnionWith(errors); // paths that name no file or folder
        notes.AddRange(dotFolders.Select(f => $"{f}: skipped, a folder whose name starts with a dot"));
        var patches = KustomizePatches.Find(files);
        var sources = list.Exists(p => p.Path == StandardInput) ? files.Prepend(StandardInput) : files;
        foreach (var file in sources)
        {
            if (file != StandardInput && patches.TryGetValue(Path.GetFullPath(file), out var kustomization))
            {
                notObjects.Add(new SkippedDocument(file, 1, $"a kustomize patch (listed in {kustomization}), not an object"));
                continue;
            }

            IReadOnlyList<ManifestEntry> entries;
            try
            {
                entries = file == StandardInput
                    ? ManifestReader.ReadEach(input?.ReadToEnd() ?? string.Empty, "stdin", YamlDialect.Kubectl, Judged)
                    : ManifestReader.ReadEach(ManifestReader.ReadText(file), file, YamlDialect.Kubectl, Judged);
            }
            catch (ManifestReadException e)
            {
                errors.Add(e.Message);
                unreadable.Add(file);
                continue;
            }

            foreach (var entry in entries)
            {
                if (entry.Error is { } error)
                {
                    if (error.Problem == ManifestReader.NotAMapping)
                    {
                        notObjects.Add(new SkippedDocument(error.Source ?? file, error.Line, "a YAML list or value (a JSON patch?), not an object"));
                        continue;
                    }

                    errors.Add(error.Message);
                    unreadable.Add(file);
                    continue;
                }

                var document = entry.Document!;
                if (NotAnObject(document) is { } reason)
                {
                    notObjects.Add(new SkippedDocument(document.Source, document.Line, reason));
                    continue;
                }

                foreach (var item in Expand(document))
                {
                    if (!WorkloadDecoder.IsWorkload(item.ApiVersion, item.Kind))
                    {
                        skipped++;
                        continue;
                    }

                    var line = document.LineOf(item.PathPrefix);
                    var itemNamespace = Text((item.Node["metadata"] as JsonObject)?["namespace"]) ?? options.Namespace;
                    if (itemNamespace is not null && options.Exempt.Contains(itemNamespace))
                    {
                        exempt++;
                        notObjects.Add(new SkippedDocument(document.Source, line, $"{item.Kind} in namespace \"{itemNamespace}\", which the webhook exempts (--exclude-namespace)"));
                        continue;
                    }

                    try
                    {
                        var obj = WorkloadDecoder.Decode(item.Kind!, item.Node.ToJsonString());
                        var result = evaluator.Evaluate(obj, context);
                        if (result is null)
                        {
                            errors.Add($"{document.Source}:{line}: {item.Kind} has no pod template");
                            unreadable.Add(file);
                            continue;
                        }

                        results.Add(new ObjectResult(document.Source, item.Index, line, result) { Document = document, PathPrefix = item.PathPrefix });
                    }
                    catch (JsonException e)
                    {
                        var path = item.PathPrefix + (e.Path is { Length: > 1 } p ? p[1..] : string.Empty);
                        errors.Add($"{document.Source}:{document.LineOf(path)}: {item.Kind} does not fit its schema at {path.TrimStart('$', '.')}: {JsonErrors.Describe(e)}");
                        unreadable.Add(file);
                    }
                    catch (Exception e) when (WorkloadDecoder.IsShapeError(e))
                    {
                        errors.Add($"{document.Source}:{line}: {item.Kind} does not fit its schema: a field has a value of the wrong form ({e.GetType().Name})");
                        unreadable.Add(file);
                    }
                }
            }
        }

        return new CheckRun(results, errors, skipped)
        {
            NotObjects = notObjects,
            Notes = notes,
            UnreadableFiles = unreadable.Count,
            ObjectsFound = results.Count + skipped + exempt,
        };
    }

    /// <summary>
    /// Whether a document's tree is needed: workloads, lists (their items may be workloads) and kustomize files
    /// (noted as such). Any other object is only counted as skipped, so its YAML need not be parsed.
    /// </summary>
    private static bool Judged(string apiVersion, string kind) =>
        WorkloadDecoder.IsWorkload(apiVersion, kind) || kind.EndsWith("List", StringComparison.Ordinal)
        || apiVersion.StartsWith("kustomize.config.k8s.io/", StringComparison.Ordinal);

    /// <summary>Why a document is no Kubernetes object, or null when it is one.</summary>
    private static string? NotAnObject(ManifestDocument document) =>
        document.ApiVersion is null || document.Kind is null ? "no apiVersion or kind (a values file, a patch or other YAML), not an object"
        : document.ApiVersion.StartsWith("kustomize.config.k8s.io/", StringComparison.Ordinal) ? $"a kustomize {document.Kind}, not an object"
        : null;

    /// <summary>A document, or the items of a <c>kind: List</c> or of any <c>*List</c> (PodList, DeploymentList), as kubectl expands them.</summary>
    private static IEnumerable<(string? ApiVersion, string? Kind, JsonObject Node, string PathPrefix, int Index)> Expand(ManifestDocument document)
    {
        if (document.Kind is { } kind && kind.EndsWith("List", StringComparison.Ordinal) && document.Root["items"] is JsonArray items)
        {
            // A typed list's items may leave out their kind: a DeploymentList holds Deployments of the list's group.
            var itemKind = kind == "List" ? null : kind[..^4];
            for (var i = 0; i < items.Count; i++)
            {
                if (items[i] is JsonObject item)
                {
                    yield return (Text(item["apiVersion"]) ?? (itemKind is null ? null : document.ApiVersion), Text(item["kind"]) ?? itemKind, item, $"$.items[{i}]", i);
                }
            }

            yield break;
        }

        yield return (document.ApiVersion, document.Kind, document.Root, "$", document.Index);
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
