using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PolicyWebhook.Engine;

namespace PolicyWebhook.Cluster.Reports;

/// <summary>
/// One namespace's report, gathered from an audit: failures and warnings listed (one result per object, policy
/// and check), passes counted, waivers listed as skipped. It keeps per object only what a result says, never the
/// object, and renders within a byte budget: past it, the least important results are folded into the summary's
/// counts and an annotation says how many.
/// </summary>
public sealed class NamespaceReport
{
    /// <summary>The name of the one report per namespace.</summary>
    public const string Name = "policywebhook";

    /// <summary>The label every report of this webhook carries, with the value <c>policy-webhook</c>.</summary>
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";

    /// <summary>The annotation that says how many results were left out to stay within the budget.</summary>
    public const string FoldedAnnotation = "policywebhook.io/results-folded";

    private readonly List<Result> _results = [];
    private readonly List<(string ApiVersion, string Kind, string Name, string? Uid)> _passed = [];

    public NamespaceReport(string @namespace) => Namespace = @namespace;

    public string Namespace { get; }

    public int Passed => _passed.Count;

    /// <summary>Adds what the audit found for one object.</summary>
    public void Add(AuditedWorkload workload, bool listPasses)
    {
        ArgumentNullException.ThrowIfNull(workload);
        if (workload is not { Outcome: AuditOutcome.Evaluated, Result: { } result })
        {
            return;
        }

        var resource = new ResourceRef(workload.ApiVersion, workload.Kind, workload.Name, workload.Namespace, workload.Uid);
        foreach (var group in result.Violations.GroupBy(v => (v.Policy, v.Check, v.Mode)))
        {
            var violations = group.ToList();
            _results.Add(new Result(
                group.Key.Policy,
                group.Key.Check,
                group.Key.Mode,
                group.Key.Mode == PolicyMode.Warn ? "warn" : "fail",
                string.Join("; ", violations.Select(v => v.Message).Distinct(StringComparer.Ordinal)),
                string.Join(", ", violations.Select(v => v.Path).Distinct(StringComparer.Ordinal)),
                resource));
        }

        foreach (var group in result.Waived.GroupBy(w => (w.Violation.Policy, w.Violation.Check, w.Exception)))
        {
            var waived = group.ToList();
            _results.Add(new Result(
                group.Key.Policy,
                group.Key.Check,
                waived[0].Violation.Mode,
                "skip",
                $"waived by PolicyException \"{group.Key.Exception.Namespace}/{group.Key.Exception.Name}\": " + string.Join("; ", waived.Select(w => w.Violation.Message).Distinct(StringComparer.Ordinal)),
                string.Join(", ", waived.Select(w => w.Violation.Path).Distinct(StringComparer.Ordinal)),
                resource));
        }

        if (result.Violations.Count == 0 && result.Waived.Count == 0)
        {
            _passed.Add((workload.ApiVersion, workload.Kind, workload.Name, listPasses ? workload.Uid : null));
        }
    }

    /// <summary>
    /// Records that an isolation rule matches this namespace and no NetworkPolicy isolates it as the rule asks: a
    /// result about the Namespace itself, rule <c>namespaceIsolation</c>, warn for a Warn rule, fail otherwise.
    /// </summary>
    public void AddIsolationGap(string policy, PolicyMode mode, string missing)
    {
        _results.Add(new Result(
            new PolicyReference("ClusterPolicy", policy, null),
            "namespaceIsolation",
            mode,
            mode == PolicyMode.Warn ? "warn" : "fail",
            $"no NetworkPolicy with podSelector: {{}} for {missing}",
            "",
            new ResourceRef("v1", "Namespace", Namespace, Namespace, null)));
    }

    /// <summary>
    /// The report as the API server stores it, at most <paramref name="maxBytes"/> long: the most important results
    /// (Enforce failures, then Audit failures, then warnings, then waivers) are kept, the rest counted.
    /// </summary>
    public JsonObject Render(ReportFormat format, int maxBytes, bool listPasses)
    {
        ArgumentNullException.ThrowIfNull(format);
        // A stable order, so an unchanged namespace renders byte for byte the same and is not written again.
        var ordered = _results.Select(r => (r.Rank, Json: r.ToJson()))
            .Concat(listPasses ? _passed.Select(p => (Rank: 9, Json: PassJson(p))) : [])
            .OrderBy(x => x.Rank)
            .ThenBy(x => Key(x.Json), StringComparer.Ordinal)
            .Select(x => x.Json)
            .ToList();
        var summary = new JsonObject
        {
            ["pass"] = _passed.Count,
            ["fail"] = _results.Count(r => r.Outcome == "fail"),
            ["warn"] = _results.Count(r => r.Outcome == "warn"),
            ["error"] = 0,
            ["skip"] = _results.Count(r => r.Outcome == "skip"),
        };

        // The most results that fit: the whole list when it does, otherwise a binary search on how many to keep.
        var keep = ordered.Count;
        if (Size(Document(format, summary, ordered, 0)) > maxBytes)
        {
            var (low, high) = (0, ordered.Count);
            while (low < high)
            {
                var mid = (low + high + 1) / 2;
                if (Size(Document(format, summary, ordered.Take(mid), ordered.Count - mid)) <= maxBytes)
                {
                    low = mid;
                }
                else
                {
                    high = mid - 1;
                }
            }

            keep = low;
        }

        return Document(format, summary, ordered.Take(keep), ordered.Count - keep);
    }

    private JsonObject Document(ReportFormat format, JsonObject summary, IEnumerable<JsonObject> results, int folded)
    {
        var metadata = new JsonObject
        {
            ["name"] = Name,
            ["namespace"] = Namespace,
            ["labels"] = new JsonObject { [ManagedByLabel] = "policy-webhook" },
        };
        if (folded > 0)
        {
            metadata["annotations"] = new JsonObject
            {
                [FoldedAnnotation] = $"{folded} of {folded + results.Count()} results left out to stay within the size limit; the summary counts them all. `policywebhook scan --namespace {Namespace}` lists every one.",
            };
        }

        return new JsonObject
        {
            ["apiVersion"] = format.ApiVersion,
            ["kind"] = format.Kind,
            ["metadata"] = metadata,
            ["summary"] = summary.DeepClone(),
            ["results"] = new JsonArray([.. results.Select(r => r.DeepClone())]),
        };
    }

    private static int Size(JsonObject document) => Encoding.UTF8.GetByteCount(document.ToJsonString());

    private static string Key(JsonObject result) =>
        $"{result["resources"]?[0]?["kind"]}/{result["resources"]?[0]?["name"]}/{result["policy"]}/{result["rule"]}";

    private JsonObject PassJson((string ApiVersion, string Kind, string Name, string? Uid) passed) => new()
    {
        ["source"] = "policywebhook",
        ["policy"] = "all",
        ["result"] = "pass",
        ["message"] = "no policy in force finds anything to change",
        ["resources"] = new JsonArray(new ResourceRef(passed.ApiVersion, passed.Kind, passed.Name, Namespace, passed.Uid).ToJson()),
    };

    private sealed record ResourceRef(string ApiVersion, string Kind, string Name, string Namespace, string? Uid)
    {
        public JsonObject ToJson()
        {
            // The namespace is the report's own; a Policy (not a ClusterPolicy) is named namespace/name.
            var json = new JsonObject { ["apiVersion"] = ApiVersion, ["kind"] = Kind, ["name"] = Name };
            if (Uid is not null)
            {
                json["uid"] = Uid;
            }

            return json;
        }
    }

    private sealed record Result(PolicyReference Policy, string Check, PolicyMode Mode, string Outcome, string Message, string Paths, ResourceRef Resource)
    {
        /// <summary>What is kept first when a report must be cut: what denies, then what is recorded, then warnings, then waivers.</summary>
        public int Rank => Outcome switch
        {
            "fail" when Mode == PolicyMode.Enforce => 0,
            "fail" => 1,
            "warn" => 2,
            _ => 3,
        };

        public JsonObject ToJson() => new()
        {
            ["source"] = "policywebhook",
            ["policy"] = Policy.Namespace is null ? Policy.Name : $"{Policy.Namespace}/{Policy.Name}",
            ["rule"] = Check,
            ["result"] = Outcome,
            ["severity"] = Mode == PolicyMode.Enforce ? "high" : "medium",
            ["message"] = Message,
            ["properties"] = new JsonObject { ["mode"] = Mode.ToString(), ["paths"] = Paths },
            ["resources"] = new JsonArray(Resource.ToJson()),
        };
    }
}
