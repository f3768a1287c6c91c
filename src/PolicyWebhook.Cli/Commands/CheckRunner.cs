using System.Text.Json;
using System.Text.Json.Nodes;
using PolicyWebhook.Engine;
using PolicyWebhook.Engine.Workloads;
using PolicyWebhook.Policies;
using PolicyWebhook.Policies.Yaml;

namespace PolicyWebhook.Cli.Commands;

/// <summary>The verdict on one object of one file.</summary>
internal sealed record ObjectResult(string Source, int Index, int Line, EvaluationResult Result);

/// <summary>What a check run found: a verdict per workload, the problems that stopped a file, and how many documents were not workloads.</summary>
internal sealed record CheckRun(List<ObjectResult> Results, List<string> Errors, int Skipped);

/// <summary>Reads manifests and evaluates every workload in them.</summary>
internal static class CheckRunner
{
    public static CheckRun Run(IEnumerable<string> paths, PolicyEvaluator evaluator)
    {
        var results = new List<ObjectResult>();
        var errors = new List<string>();
        var skipped = 0;
        foreach (var file in ManifestFiles.Expand(paths, errors))
        {
            IReadOnlyList<ManifestDocument> documents;
            try
            {
                documents = ManifestReader.ReadFile(file);
            }
            catch (ManifestReadException e)
            {
                errors.Add(e.Message);
                continue;
            }

            foreach (var document in documents)
            {
                foreach (var item in Expand(document))
                {
                    if (!WorkloadDecoder.IsWorkload(item.ApiVersion, item.Kind))
                    {
                        skipped++;
                        continue;
                    }

                    var line = document.LineOf(item.PathPrefix);
                    try
                    {
                        var obj = WorkloadDecoder.Decode(item.Kind!, item.Node.ToJsonString());
                        var result = evaluator.Evaluate(obj);
                        if (result is null)
                        {
                            errors.Add($"{document.Source}:{line}: {item.Kind} has no pod template");
                            continue;
                        }

                        results.Add(new ObjectResult(document.Source, item.Index, line, result));
                    }
                    catch (JsonException e)
                    {
                        var path = item.PathPrefix + (e.Path is { Length: > 1 } p ? p[1..] : string.Empty);
                        errors.Add($"{document.Source}:{document.LineOf(path)}: {item.Kind} does not fit its schema at {path.TrimStart('$', '.')}: {JsonErrors.Describe(e)}");
                    }
                    catch (Exception e) when (WorkloadDecoder.IsShapeError(e))
                    {
                        errors.Add($"{document.Source}:{line}: {item.Kind} does not fit its schema: a field has a value of the wrong form ({e.GetType().Name})");
                    }
                }
            }
        }

        return new CheckRun(results, errors, skipped);
    }

    /// <summary>A document, or the items of a <c>kind: List</c> (as <c>kubectl get -o yaml</c> writes).</summary>
    private static IEnumerable<(string? ApiVersion, string? Kind, JsonObject Node, string PathPrefix, int Index)> Expand(ManifestDocument document)
    {
        if (document.Kind == "List" && document.Root["items"] is JsonArray items)
        {
            for (var i = 0; i < items.Count; i++)
            {
                if (items[i] is JsonObject item)
                {
                    yield return (Text(item["apiVersion"]), Text(item["kind"]), item, $"$.items[{i}]", i);
                }
            }

            yield break;
        }

        yield return (document.ApiVersion, document.Kind, document.Root, "$", document.Index);
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
