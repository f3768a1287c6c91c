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
        Assert.Contains("3 objects checked: 1 allowed, 0 allowed with findings, 2 denied; 1 other document carried no pod spec.", output, StringComparison.Ordinal);
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

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PolicyWebhook.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("PolicyWebhook.sln not found");
    }
}
