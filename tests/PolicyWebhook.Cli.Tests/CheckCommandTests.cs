using System.Text.Json;

namespace PolicyWebhook.Cli.Tests;

/// <summary>The check command end to end, in process, over the repository's example manifests.</summary>
public sealed class CheckCommandTests : IDisposable
{
    private static readonly string Root = FindRoot();
    private static readonly string Examples = Path.Combine(Root, "deploy", "examples");
    private readonly string _temp = Directory.CreateTempSubdirectory("policywebhook-cli-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = CliApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void Check_TheReadmesTryIt_IsWhatCheckPrints()
    {
        var (_, output, _) = Run("check", Examples);

        // Run from the repository root as the README does, the paths read deploy/examples/...
        var printed = output.Replace(Root + Path.DirectorySeparatorChar, "", StringComparison.Ordinal).ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        PolicyWebhook.Tests.Shared.ReadmeBlocks.AssertShows(PolicyWebhook.Tests.Shared.ReadmeBlocks.Block(Root, "try-it"), printed);
    }

    [Fact]
    public void Check_ExamplesWithDefaultPolicy_DeniesTheBadOnesWithOneReadMessages()
    {
        var (code, output, _) = Run("check", Examples);

        Assert.Equal(CliApp.Denied, code);
        Assert.Contains("ALLOWED Deployment \"web\" in namespace \"shop\"", output, StringComparison.Ordinal);
        Assert.Contains("DENIED  DaemonSet \"node-agent\" in namespace \"monitoring\"", output, StringComparison.Ordinal);
        Assert.Contains(
            "[Enforce] ClusterPolicy \"default\": privileged (container \"agent\" must not set securityContext.privileged=true at spec.template.spec.containers[0].securityContext.privileged)",
            output,
            StringComparison.Ordinal);
        Assert.Contains(
            "[Enforce] ClusterPolicy \"default\": inlineSecrets (container \"backup\" must take env \"PGPASSWORD\" from a Secret (valueFrom.secretKeyRef), not a literal value at spec.jobTemplate.spec.template.spec.containers[0].env[0].value)",
            output,
            StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", output, StringComparison.Ordinal);
        Assert.Contains("3 objects checked: 1 allowed, 0 allowed with findings, 2 denied; 5 other documents carried no pod spec.", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_JsonFormat_WritesOneDocumentInTheDocumentedShape()
    {
        var (code, output, _) = Run("check", "--format", "json", Examples);

        Assert.Equal(CliApp.Denied, code);
        using var json = JsonDocument.Parse(output);
        var results = json.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(3, results.Count);
        var cronJob = results.Single(r => r.GetProperty("kind").GetString() == "CronJob");
        Assert.Equal("nightly-backup", cronJob.GetProperty("name").GetString());
        Assert.Equal("shop", cronJob.GetProperty("namespace").GetString());
        Assert.Equal(0, cronJob.GetProperty("index").GetInt32());
        Assert.EndsWith("cronjob-inline-password.yaml", cronJob.GetProperty("source").GetString(), StringComparison.Ordinal);
        Assert.False(cronJob.GetProperty("allowed").GetBoolean());
        var violation = Assert.Single(cronJob.GetProperty("violations").EnumerateArray());
        Assert.Equal("default", violation.GetProperty("policy").GetString());
        Assert.Equal("inlineSecrets", violation.GetProperty("check").GetString());
        Assert.Equal("Enforce", violation.GetProperty("mode").GetString());
        Assert.Equal("spec.jobTemplate.spec.template.spec.containers[0].env[0].value", violation.GetProperty("path").GetString());
        Assert.DoesNotContain("hunter2", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_CompliantDeployment_ExitsZero() =>
        Assert.Equal(CliApp.Allowed, Run("check", Path.Combine(Examples, "compliant-deployment.yaml")).Code);

    [Fact]
    public void Check_WarnModePolicy_PrintsButDoesNotDeny()
    {
        var policy = Path.Combine(_temp, "warn.yaml");
        File.WriteAllText(policy, "apiVersion: policywebhook.io/v1alpha1\nkind: ClusterPolicy\nmetadata:\n  name: warn\nspec:\n  mode: Warn\n  podSecurity:\n    level: restricted\n");

        var (code, output, _) = Run("check", "--policy", policy, Path.Combine(Examples, "privileged-daemonset.yaml"));

        Assert.Equal(CliApp.Allowed, code);
        Assert.Contains("WARNED  DaemonSet \"node-agent\"", output, StringComparison.Ordinal);
        Assert.Contains("[Warn] ClusterPolicy \"warn\": privileged", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_PolicyWithParameters_AllowsWhatTheyAllowAndNamesTheRest()
    {
        var policy = Path.Combine(_temp, "host-ports.yaml");
        File.WriteAllText(policy, "apiVersion: policywebhook.io/v1alpha1\nkind: ClusterPolicy\nmetadata:\n  name: ports\nspec:\n  podSecurity:\n    level: baseline\n    parameters:\n      hostPorts:\n        allowed: [{min: 8000, max: 9000}]\n");
        var fixtures = Path.Combine(Root, "tests", "PolicyWebhook.Engine.Tests", "Fixtures", "hostPorts", "ranges");

        var (allowedCode, _, _) = Run("check", "--policy", policy, Path.Combine(fixtures, "pass", "in-range.yaml"));
        var (deniedCode, output, _) = Run("check", "--policy", policy, Path.Combine(fixtures, "fail", "out-of-range.yaml"));

        Assert.Equal(CliApp.Allowed, allowedCode);
        Assert.Equal(CliApp.Denied, deniedCode);
        Assert.Contains("hostPorts (container \"app\" sets hostPort=80, outside the allowed ranges 8000-9000 at spec.containers[0].ports[1].hostPort)", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("baseline:v1.0", CliApp.Denied)]
    [InlineData("privileged", CliApp.Allowed)]
    public void Check_PssAlone_AppliesOnlyThatStandard(string standard, int expected)
    {
        var (code, output, _) = Run("check", "--pss", standard, Path.Combine(Examples, "cronjob-inline-password.yaml"), Path.Combine(Examples, "privileged-daemonset.yaml"));

        Assert.Equal(expected, code);
        Assert.DoesNotContain("inlineSecrets", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_BrokenYaml_ExitsTwoNamingFileAndLine()
    {
        var file = Path.Combine(_temp, "broken.yaml");
        File.WriteAllText(file, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  labels: [a\n");

        var (code, _, error) = Run("check", file);

        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains($"{file}:", error, StringComparison.Ordinal);
        Assert.Contains("is not valid YAML", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_FieldOfWrongType_ExitsTwoNamingTheLine()
    {
        var file = Path.Combine(_temp, "wrong.yaml");
        File.WriteAllText(file, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n  - name: a\n    image: a:1\n    ports: 8080\n");

        var (code, _, error) = Run("check", file);

        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains($"{file}:9: Pod does not fit its schema at spec.containers[0].ports", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("check")]
    [InlineData("check", "--format", "xml", "x.yaml")]
    [InlineData("check", "--pss", "strict", "deploy")]
    [InlineData("nonsense")]
    public void Check_BadUsage_ExitsTwo(params string[] args) => Assert.Equal(CliApp.BadInput, Run(args).Code);

    [Fact]
    public void Check_MissingFile_ExitsTwo()
    {
        var (code, _, error) = Run("check", Path.Combine(_temp, "nope.yaml"));
        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains("no such file or folder", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_BrokenPolicy_ExitsTwoListingEveryProblem()
    {
        var policy = Path.Combine(_temp, "bad-policy.yaml");
        File.WriteAllText(policy, "apiVersion: policywebhook.io/v1alpha1\nkind: ClusterPolicy\nmetadata:\n  name: bad\nspec:\n  mode: Block\n  rules:\n    images:\n      allowedRegistries: [\"\"]\n");

        var (code, _, error) = Run("check", "--policy", policy, Examples);

        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains($"{policy}:6: spec.mode: \"Block\" is not a mode (use Enforce, Warn or Audit)", error, StringComparison.Ordinal);
        Assert.Contains($"{policy}:9: spec.rules.images.allowedRegistries[0]: \"\" is not a registry host", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ChecksList_PrintsEveryCheckWithLevelAndVersions()
    {
        var (code, output, _) = Run("checks", "list");

        Assert.Equal(CliApp.Allowed, code);
        Assert.Matches(@"(?m)^sysctls\s+baseline\s+v1\.0, v1\.27, v1\.29, v1\.32\s+unsafe sysctls$", output);
        Assert.Matches(@"(?m)^capabilities_restricted\s+restricted\s+v1\.22, v1\.25\s+", output);
        Assert.Matches(@"(?m)^inlineSecrets\s+least-privilege\s+-\s+credentials written inline$", output);
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_temp, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Theory]
    [InlineData("containers: [{name: a}]")]
    [InlineData("containers: [{image: \"registry.example.com/a:1\"}]")]
    public void Check_ContainerMissingAField_IsJudgedNotCrashed(string containers)
    {
        var file = Write("partial.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  " + containers + "\n");
        var (code, output, error) = Run("check", file);
        Assert.Equal(CliApp.Denied, code);
        Assert.Contains("DENIED  Pod \"x\"", output, StringComparison.Ordinal);
        Assert.Empty(error);
    }

    [Fact]
    public void Check_WrongFormInAFieldNoCheckReads_StillExitsTwo()
    {
        // The webhook skips what no check reads (the API server has validated it); check reads hand-written files, and all of them.
        var file = Write("replicas.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  replicas: \"3\"\n  template:\n    spec:\n      containers:\n      - name: a\n        image: a:1\n");
        var (code, _, error) = Run("check", file);
        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains("spec.replicas", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("metadata:\n  name: x\n  creationTimestamp: 2024-01-01\n", "3")]
    [InlineData("metadata:\n  name: x\n", "9")]
    public void Check_ValueOfTheWrongForm_ExitsTwoNotCrash(string metadata, string line)
    {
        var port = line == "9" ? "[1]" : "8080";
        var file = Write("odd.yaml", "apiVersion: v1\nkind: Pod\n" + metadata + "spec:\n  containers:\n  - name: a\n    image: a:1\n    readinessProbe: {httpGet: {port: " + port + "}}\n");
        var (code, _, error) = Run("check", file);
        Assert.Equal(CliApp.BadInput, code);
        Assert.StartsWith("error: " + file + ":", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_DeeplyNestedDocument_IsRefusedWithALine()
    {
        var file = Write("deep.yaml", "apiVersion: v1\nkind: ConfigMap\ndata: " + new string('[', 200_000) + "\n");
        var (code, _, error) = Run("check", file);
        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains("nests deeper than 100 levels", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_PasswordStartingWithStar_IsNeverEchoedInTheError()
    {
        var file = Write("star.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n  - name: a\n    image: a:1\n    env:\n    - name: DB_PASSWORD\n      value: *Hunter2Hunter2\n");
        var (code, output, error) = Run("check", "--format", "json", file);
        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains(file + ":11: is not valid YAML: an alias", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Hunter2", output + error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_QuantityThatDoesNotParse_IsReportedAgainstTheMaximum()
    {
        var policy = Write("max.yaml", "apiVersion: policywebhook.io/v1alpha1\nkind: ClusterPolicy\nmetadata:\n  name: max\nspec:\n  rules:\n    resources:\n      require: []\n      maximums: {limits.cpu: 2}\n");
        var pod = Write("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n  - name: a\n    image: a:1\n    resources: {limits: {cpu: \"1e30\"}}\n");
        var (code, output, _) = Run("check", "--policy", policy, pod);
        Assert.Equal(CliApp.Denied, code);
        Assert.Contains("container \"a\" must set resources.limits.cpu to a valid quantity", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_PolicyFieldInWrongCase_IsAnUnknownField()
    {
        var policy = Write("case.yaml", "apiVersion: policywebhook.io/v1alpha1\nkind: ClusterPolicy\nmetadata:\n  name: c\nspec:\n  mode: Enforce\n  Mode: Audit\n  podSecurity: {level: baseline}\n");
        var (code, _, error) = Run("check", "--policy", policy, Examples);
        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains(policy + ":7: spec.Mode: unknown field", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_ListItems_ReportTheirOwnLineAndIndex()
    {
        var file = Write("list.yaml", "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: s}\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: p1}\n  spec: {containers: [{name: a, image: a:1}]}\n");
        var (_, output, _) = Run("check", "--format", "json", file);
        using var json = JsonDocument.Parse(output);
        var result = Assert.Single(json.RootElement.GetProperty("results").EnumerateArray());
        Assert.Equal(7, result.GetProperty("line").GetInt32());
        Assert.Equal(1, result.GetProperty("index").GetInt32());
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PolicyWebhook.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("PolicyWebhook.sln not found");
    }

    [Fact]
    public void Check_WithAnExceptionAmongThePolicies_WaivesItAndSaysSo()
    {
        var policies = Path.Combine(_temp, "policies.yaml");
        var expiry = DateTimeOffset.UtcNow.AddDays(30).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        File.WriteAllText(policies,
            "apiVersion: policywebhook.io/v1alpha1\nkind: ClusterPolicy\nmetadata:\n  name: tags\nspec:\n  rules:\n    imageTags: {}\n---\n"
            + "apiVersion: policywebhook.io/v1alpha1\nkind: PolicyException\nmetadata:\n  name: nginx-latest\n  namespace: shop\nspec:\n"
            + "  policy: {name: tags}\n  checks: [imageTags]\n  match: {names: [web]}\n  justification: the vendor ships only :latest until March\n"
            + $"  expiresAt: \"{expiry}\"\n");
        var pod = Path.Combine(_temp, "pod.yaml");
        File.WriteAllText(pod, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  containers:\n  - name: app\n    image: nginx\n");

        var (code, output, _) = Run("check", "--policy", policies, pod);

        Assert.Equal(0, code);
        Assert.Contains("[waived by PolicyException \"shop/nginx-latest\"] ClusterPolicy \"tags\": imageTags (", output, StringComparison.Ordinal);
    }
}
