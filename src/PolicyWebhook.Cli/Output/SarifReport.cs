using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using PolicyWebhook.Cli.Commands;
using PolicyWebhook.Engine;
using PolicyWebhook.Engine.Checks;

namespace PolicyWebhook.Cli.Output;

/// <summary>
/// SARIF 2.1.0 for code scanning: one rule per check with help text, one result per violation located at the field's
/// line (and at the object's line as a related location), so readers such as GitHub show the finding on the line.
/// </summary>
internal static class SarifReport
{
    public const string SchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";

    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Write(CheckRun run, TextWriter output) => Write(run, output, Environment.CurrentDirectory);

    /// <summary>As <see cref="Write(CheckRun, TextWriter)"/>, with files outside any git repository relative to <paramref name="workingDirectory"/>.</summary>
    public static void Write(CheckRun run, TextWriter output, string workingDirectory)
    {
        var roots = new SourceRoots(workingDirectory);
        var checks = CheckRegistry.Default.All.ToList();
        var ruleIndex = checks.Select((c, i) => (c.Id, i)).ToDictionary(p => p.Id, p => p.i, StringComparer.Ordinal);
        var rules = new JsonArray([.. checks.Select(Rule)]);
        var results = new JsonArray();
        foreach (var item in run.Results)
        {
            foreach (var violation in TextReport.InObjectOrder(item))
            {
                var result = new JsonObject
                {
                    ["ruleId"] = violation.Check,
                    ["level"] = Level(violation.Mode),
                    ["message"] = new JsonObject
                    {
                        ["text"] = $"{item.Result.Kind} \"{item.Result.Name}\": {violation.Message} at {violation.Path} (found: {violation.Found}; required: {violation.Required}; {violation.Policy}, {violation.Mode})",
                    },
                    ["locations"] = new JsonArray(Location(roots, item.Source, item.LineOf(violation.Path), violation.Path, item)),
                    ["relatedLocations"] = new JsonArray(Related(roots, item)),
                    ["properties"] = new JsonObject
                    {
                        ["policy"] = violation.Policy.ToString(),
                        ["mode"] = violation.Mode.ToString(),
                        ["path"] = violation.Path,
                    },
                };
                if (ruleIndex.TryGetValue(violation.Check, out var index))
                {
                    result["ruleIndex"] = index;
                }

                results.Add(result);
            }
        }

        var log = new JsonObject
        {
            ["$schema"] = SchemaUri,
            ["version"] = "2.1.0",
            ["runs"] = new JsonArray(new JsonObject
            {
                ["tool"] = new JsonObject
                {
                    ["driver"] = new JsonObject
                    {
                        ["name"] = "policywebhook",
                        ["version"] = CliApp.Version,
                        ["semanticVersion"] = CliApp.Version,
                        ["rules"] = rules,
                    },
                },
                ["originalUriBaseIds"] = roots.BaseIds(),
                ["results"] = results,
                ["invocations"] = new JsonArray(new JsonObject
                {
                    ["executionSuccessful"] = run.Errors.Count == 0,
                    ["toolExecutionNotifications"] = new JsonArray([.. run.Errors.Select(e => new JsonObject
                    {
                        ["level"] = "error",
                        ["message"] = new JsonObject { ["text"] = e },
                    })]),
                }),
            }),
        };
        output.WriteLine(log.ToJsonString(Options));
    }

    private static JsonObject Rule(ICheck check)
    {
        var level = check.Level switch
        {
            CheckLevel.Baseline => "Pod Security Standards, baseline",
            CheckLevel.Restricted => "Pod Security Standards, restricted",
            _ => "least privilege, beyond the Pod Security Standards",
        };
        var help = $"{check.Id}: {check.Title} ({level}). Each finding names the container, the field as written in the object, "
            + "the value found and the value required: change the field to the required value, or, for a justified case, "
            + "add a PolicyException. 'policywebhook checks list' lists every check.";
        return new JsonObject
        {
            ["id"] = check.Id,
            ["name"] = check.Id,
            ["shortDescription"] = new JsonObject { ["text"] = check.Title },
            ["fullDescription"] = new JsonObject { ["text"] = $"{check.Title} ({level})" },
            ["help"] = new JsonObject { ["text"] = help },
            ["defaultConfiguration"] = new JsonObject { ["level"] = "error" },
            ["properties"] = new JsonObject { ["tags"] = new JsonArray("security", "kubernetes", check.Level.ToString()) },
        };
    }

    private static JsonObject Location(SourceRoots roots, string source, int line, string? fieldPath, ObjectResult item) => new()
    {
        ["physicalLocation"] = new JsonObject
        {
            ["artifactLocation"] = roots.ArtifactLocation(source),
            ["region"] = new JsonObject { ["startLine"] = Math.Max(1, line) },
        },
        ["logicalLocations"] = new JsonArray(new JsonObject
        {
            ["fullyQualifiedName"] = $"{item.Result.Kind}/{(string.IsNullOrEmpty(item.Result.Namespace) ? string.Empty : item.Result.Namespace + "/")}{item.Result.Name}" + (fieldPath is null ? string.Empty : "/" + fieldPath),
            ["kind"] = fieldPath is null ? "object" : "member",
        }),
    };

    private static JsonObject Related(SourceRoots roots, ObjectResult item)
    {
        var location = Location(roots, item.Source, item.Line, null, item);
        location["id"] = 0;
        location["message"] = new JsonObject { ["text"] = $"{item.Result.Kind} \"{item.Result.Name}\"" };
        return location;
    }

    private static string Level(PolicyMode mode) => mode switch
    {
        PolicyMode.Enforce => "error",
        PolicyMode.Warn => "warning",
        _ => "note",
    };
}
