using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PolicyWebhook.Policies;

namespace PolicyWebhook.Chart.Tests;

/// <summary>The chart's values: every one documented, none mistyped, no impossible combination installed.</summary>
public sealed partial class ValuesTests
{
    public static TheoryData<string> ValuesFiles() => [.. Helm.CiValuesFiles().Prepend("")];

    [Theory]
    [MemberData(nameof(ValuesFiles))]
    public void The_chart_lints_strictly_with_its_defaults_and_each_ci_values_file(string file)
    {
        string[] args = file.Length == 0
            ? ["lint", "--strict", Helm.Chart, "--namespace", Helm.Namespace]
            : ["lint", "--strict", Helm.Chart, "--namespace", Helm.Namespace, "--values", Helm.CiValues(file)];
        var (code, output, error) = Helm.Run(args);
        Assert.True(code == 0, output + error);
        Assert.Contains("0 chart(s) failed", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("webhook.failurPolicy=Ignore", "additional properties 'failurPolicy' not allowed")]
    [InlineData("replicas=2", "additional properties 'replicas' not allowed")]
    [InlineData("webhook.failurePolicy=fail", "webhook/failurePolicy")]
    [InlineData("webhook.timeoutSeconds=31", "maximum")]
    [InlineData("certificates.mode=certmanager", "certificates/mode")]
    [InlineData("resources.limits.memory=lots", "resources/limits/memory")]
    [InlineData("podDisruptionBudget.enabled=yes", "podDisruptionBudget/enabled")]
    [InlineData("prometheusRule.latencyThresholdSeconds=5", "latencyThresholdSeconds")]
    [InlineData("prometheusRule.certificateExpiryWarningDays=0", "certificateExpiryWarningDays")]
    [InlineData("dashboard.enabled=yes", "dashboard/enabled")]
    [InlineData("dashboard.label=grafana dashboard", "dashboard/label")]
    public void A_mistyped_value_is_refused_with_where_it_is(string set, string expected)
    {
        var error = Helm.TemplateError(set: [set]);
        Assert.Contains("values don't meet the specifications of the schema", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("kube-system", new string[0], "do not install into kube-system")]
    [InlineData("default", new string[0], "every workload in default would go unchecked")]
    [InlineData("policy-webhook", new[] { "replicaCount=1" }, "protects nothing")]
    [InlineData("policy-webhook", new[] { "certificates.mode=supplied", "certificates.supplied.secretName=x" }, "needs certificates.supplied.caBundle")]
    [InlineData("policy-webhook", new[] { "certificates.mode=supplied", "certificates.supplied.caBundle=LS0tLS1CRUdJTg==" }, "must be PEM")]
    [InlineData("policy-webhook", new[] { "webhook.url=http://10.0.0.1:8443" }, "must start with https://")]
    [InlineData("policy-webhook", new[] { "webhook.url=https://10.0.0.1:8443" }, "needs certificates.mode=supplied")]
    [InlineData("policy-webhook", new[] { "prometheusRule.enabled=true" }, "needs serviceMonitor.enabled")]
    [InlineData("policy-webhook", new[] { "certificates.chart.validityDays=30", "certificates.chart.renewBeforeDays=60" }, "renewBeforeDays must be shorter")]
    [InlineData("policy-webhook", new[] { "serviceMonitor.enabled=true", "prometheusRule.enabled=true", "prometheusRule.certificateExpiryCriticalDays=14" }, "certificateExpiryCriticalDays must be fewer")]
    public void An_impossible_combination_is_refused_with_what_to_change(string ns, string[] set, string expected)
    {
        var error = Helm.TemplateError(set: set, ns: ns);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_value_is_documented_with_a_helm_docs_comment()
    {
        var lines = File.ReadAllLines(Path.Combine(Helm.Chart, "values.yaml"));
        var undocumented = new List<string>();
        var ancestors = new Stack<(int Indent, bool Documented)>();
        for (var i = 0; i < lines.Length; i++)
        {
            var key = Key().Match(lines[i]);
            if (!key.Success)
            {
                continue;
            }

            var indent = key.Groups[1].Value.Length;
            while (ancestors.Count > 0 && ancestors.Peek().Indent >= indent)
            {
                ancestors.Pop();
            }

            // The comment block right above: one of its lines opens with "# --".
            var documented = false;
            for (var j = i - 1; j >= 0 && lines[j].TrimStart().StartsWith('#'); j--)
            {
                documented |= lines[j].TrimStart().StartsWith("# --", StringComparison.Ordinal);
            }

            // A parent (nothing after the colon) needs no comment of its own; its leaves do, unless it has one.
            var isParent = lines[i].TrimEnd().EndsWith(':');
            var covered = documented || ancestors.Any(a => a.Documented);
            if (!isParent && !covered)
            {
                undocumented.Add($"values.yaml:{i + 1}: {key.Groups[2].Value}");
            }

            if (isParent)
            {
                ancestors.Push((indent, covered));
            }
        }

        Assert.Empty(undocumented);
    }

    [Fact]
    public void The_schema_closes_every_object_and_knows_every_value()
    {
        var schema = JsonNode.Parse(File.ReadAllText(Path.Combine(Helm.Chart, "values.schema.json")))!.AsObject();
        var open = new List<string>();
        Walk(schema, "$", open);
        Assert.Empty(open);

        // Rendering with the values file itself passes the closed schema: nothing in it is unknown to the schema.
        Assert.NotEmpty(Helm.Template([Path.Combine(Helm.Chart, "values.yaml")]).Objects);

        static void Walk(JsonObject node, string path, List<string> open)
        {
            if (node["properties"] is JsonObject properties)
            {
                if (node["additionalProperties"] is not JsonValue closed || closed.GetValue<bool>())
                {
                    open.Add(path);
                }

                foreach (var (name, child) in properties)
                {
                    Walk(child!.AsObject(), path + "." + name, open);
                }
            }

            if (node["items"] is JsonObject items)
            {
                Walk(items, path + "[]", open);
            }
        }
    }

    [Fact]
    public void The_default_policies_are_off_by_default_and_valid_when_on()
    {
        Assert.Empty(Helm.Template().OfKind("ClusterPolicy"));
        Assert.DoesNotContain(Helm.Template().OfKind("Job"), j => (string?)j["metadata"]!["labels"]!["app.kubernetes.io/component"] == "default-policies");
        var rendered = Helm.Template(["certs-chart-values.yaml"]);
        // Not release objects: the hook applies them from its ConfigMap, through the webhook's own check.
        Assert.Empty(rendered.OfKind("ClusterPolicy"));
        var yaml = (string)rendered.OfKind("ConfigMap").Single(c => (string?)c["metadata"]!["labels"]!["app.kubernetes.io/component"] == "default-policies")["data"]!["defaults.yaml"]!;
        var loaded = PolicyLoader.LoadText(yaml, "chart default policies");
        Assert.Equal(2, loaded.Count);
        var baseline = Assert.Single(loaded, p => p.Resource.Spec.PodSecurity?.Level == "baseline");
        Assert.Equal("Enforce", baseline.Resource.Spec.Mode);
        Assert.Equal("v1.33", baseline.Resource.Spec.PodSecurity!.Version);
        var restricted = Assert.Single(loaded, p => p.Resource.Spec.PodSecurity?.Level == "restricted");
        Assert.Equal("Warn", restricted.Resource.Spec.Mode);
    }

    [GeneratedRegex(@"^(\s*)([A-Za-z][A-Za-z0-9]*):")]
    private static partial Regex Key();
}
