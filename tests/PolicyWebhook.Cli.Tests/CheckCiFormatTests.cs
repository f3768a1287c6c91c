using System.Diagnostics;
using System.Text.Json;
using System.Xml.Linq;

namespace PolicyWebhook.Cli.Tests;

/// <summary><c>--format sarif</c> (validated against the SARIF 2.1.0 schema) and <c>--format junit</c>, for CI.</summary>
public sealed class CheckCiFormatTests
{
    private static readonly string Root = FindRoot();
    private static readonly string Examples = Path.Combine(Root, "deploy", "examples");
    private static readonly string DaemonSet = Path.Combine(Examples, "privileged-daemonset.yaml");

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = CliApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Sarif_Examples_ValidatesAgainstTheSarif210Schema()
    {
        var (code, output, _) = Run("check", "--format", "sarif", Examples);

        var schema = await NJsonSchema.JsonSchema.FromJsonAsync(await File.ReadAllTextAsync(SchemaPath(), TestContext.Current.CancellationToken), TestContext.Current.CancellationToken);
        var errors = schema.Validate(output);
        Assert.Equal(CliApp.Denied, code);
        Assert.Empty(errors.Select(e => $"{e.Path}: {e.Kind}"));
        Assert.NotEmpty(schema.Validate(output.Replace("\"version\": \"2.1.0\"", "\"version\": \"9.9\"", StringComparison.Ordinal))); // the validator does refuse
        Assert.NotEmpty(schema.Validate(output.Replace("\"startLine\": ", "\"startLine\": -", StringComparison.Ordinal)));
        using var json = JsonDocument.Parse(output);
        Assert.Equal("2.1.0", json.RootElement.GetProperty("version").GetString());
        Assert.NotEmpty(json.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray());
    }

    [Fact]
    public void Sarif_OneResultPerViolation_AtTheFieldsLineAndTheObjectsLine()
    {
        var (_, output, _) = Run("check", "--format", "sarif", DaemonSet);
        var (_, jsonOutput, _) = Run("check", "--format", "json", DaemonSet);

        using var sarif = JsonDocument.Parse(output);
        using var report = JsonDocument.Parse(jsonOutput);
        var results = sarif.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray().ToList();
        var violations = report.RootElement.GetProperty("results")[0].GetProperty("violations").GetArrayLength();
        Assert.Equal(violations, results.Count);

        var privileged = results.Single(r => r.GetProperty("ruleId").GetString() == "privileged");
        var fieldLine = Array.FindIndex(File.ReadAllLines(DaemonSet), l => l.Trim() == "privileged: true") + 1;
        var objectLine = Array.FindIndex(File.ReadAllLines(DaemonSet), l => l.StartsWith("apiVersion:", StringComparison.Ordinal)) + 1;
        var location = privileged.GetProperty("locations")[0].GetProperty("physicalLocation");
        Assert.Equal(fieldLine, location.GetProperty("region").GetProperty("startLine").GetInt32());
        Assert.EndsWith("privileged-daemonset.yaml", location.GetProperty("artifactLocation").GetProperty("uri").GetString(), StringComparison.Ordinal);
        Assert.Equal(objectLine, privileged.GetProperty("relatedLocations")[0].GetProperty("physicalLocation").GetProperty("region").GetProperty("startLine").GetInt32());
        Assert.Equal("error", privileged.GetProperty("level").GetString());
    }

    [Fact]
    public void Sarif_Rules_HaveHelpTextForEveryCheck()
    {
        var (_, output, _) = Run("check", "--format", "sarif", DaemonSet);
        var (_, list, _) = Run("checks", "list");

        using var sarif = JsonDocument.Parse(output);
        var rules = sarif.RootElement.GetProperty("runs")[0].GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray()
            .ToDictionary(r => r.GetProperty("id").GetString()!, r => r.GetProperty("help").GetProperty("text").GetString()!);
        var ids = list.Split('\n').Skip(1).Select(l => l.Split(' ')[0]).Where(id => id.Length > 0).ToList();
        Assert.NotEmpty(ids);
        Assert.All(ids, id => Assert.StartsWith(id + ": ", rules[id], StringComparison.Ordinal));
    }

    [Fact]
    public void Sarif_InlineSecret_NeverCarriesTheValue()
    {
        var (_, output, _) = Run("check", "--format", "sarif", Path.Combine(Examples, "cronjob-inline-password.yaml"));

        Assert.Contains("\"ruleId\": \"inlineSecrets\"", output, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", output, StringComparison.Ordinal);
    }

    [Fact]
    public void JUnit_Examples_OneCasePerObjectDeniedOnesFailing()
    {
        var (code, output, _) = Run("check", "--format", "junit", Examples);

        Assert.Equal(CliApp.Denied, code);
        var root = XDocument.Parse(output).Root!;
        Assert.Equal("testsuites", root.Name.LocalName);
        var cases = root.Descendants("testcase").ToList();
        Assert.Equal(3, cases.Count);
        var failures = cases.Where(c => c.Element("failure") is not null).ToList();
        Assert.Equal(2, failures.Count);
        Assert.Equal("2", root.Attribute("failures")!.Value);
        Assert.Contains(failures, f => f.Element("failure")!.Value.Contains("privileged (container \"agent\" must not set securityContext.privileged=true", StringComparison.Ordinal));
        Assert.DoesNotContain("hunter2", output, StringComparison.Ordinal);
    }

    /// <summary>The SARIF 2.1.0 schema, installed by tools/install-sarif-schema.sh (from npm, pinned) when missing.</summary>
    private static string SchemaPath()
    {
        var path = Path.Combine(Root, ".tools", "sarif-schema-2.1.0.json");
        if (!File.Exists(path))
        {
            using var install = Process.Start(new ProcessStartInfo("bash", [Path.Combine(Root, "tools", "install-sarif-schema.sh")]) { RedirectStandardError = true })!;
            var log = install.StandardError.ReadToEnd();
            install.WaitForExit();
            Assert.True(install.ExitCode == 0, "tools/install-sarif-schema.sh failed: " + log);
        }

        return path;
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
