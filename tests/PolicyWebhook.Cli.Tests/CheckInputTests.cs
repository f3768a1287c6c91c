using System.Text.Json;

namespace PolicyWebhook.Cli.Tests;

/// <summary><c>check</c> reads input the way kubectl does, and says what it skipped and why.</summary>
public sealed class CheckInputTests() : CliTestFolder("policywebhook-input-")
{
    [Fact]
    public void Check_DashPath_ReadsStandardInput()
    {
        var (code, output, _) = Run(PrivilegedPod, "check", "--pss", "baseline", "-");

        Assert.Equal(CliApp.Denied, code);
        Assert.Contains("DENIED  Pod \"priv\" without a namespace (stdin:1)", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("PodList", "v1", "kind: Pod\n  apiVersion: v1\n  metadata: {name: priv}\n  spec: {containers: [{name: a, image: a:1, securityContext: {privileged: true}}]}")]
    [InlineData("DeploymentList", "apps/v1", "metadata: {name: priv}\n  spec: {selector: {matchLabels: {a: b}}, template: {metadata: {labels: {a: b}}, spec: {containers: [{name: a, image: a:1, securityContext: {privileged: true}}]}}}")]
    public void Check_TypedList_IsExpandedLikeList(string kind, string apiVersion, string item)
    {
        var file = Write("list.yaml", $"apiVersion: {apiVersion}\nkind: {kind}\nitems:\n- {item}\n");

        var (code, output, _) = Run(null, "check", "--pss", "baseline", file);

        Assert.Equal(CliApp.Denied, code);
        Assert.Contains("\"priv\"", output, StringComparison.Ordinal);
        Assert.Contains("privileged (container \"a\" must not set securityContext.privileged=true", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_MergeKey_MergesTheAnchoredMapping()
    {
        var file = Write("merge.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: merged\nspec:\n  containers:\n  - &base\n    name: a\n    image: a:1\n    securityContext:\n      privileged: true\n  - <<: *base\n    name: b\n");

        var (code, output, error) = Run(null, "check", "--pss", "baseline", file);

        Assert.Equal(CliApp.Denied, code);
        Assert.Empty(error);
        Assert.Contains("container \"b\" must not set securityContext.privileged=true", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("privileged: yes", CliApp.Denied)]
    [InlineData("privileged: on", CliApp.Denied)]
    [InlineData("privileged: off", CliApp.Allowed)]
    public void Check_Yaml11Boolean_IsReadAsKubectlReadsIt(string field, int expected)
    {
        var file = Write("bool.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: b\nspec:\n  containers:\n  - name: a\n    image: a:1\n    securityContext:\n      " + field + "\n");

        var (code, _, error) = Run(null, "check", "--pss", "baseline", file);

        Assert.Equal(expected, code);
        Assert.Empty(error);
    }

    [Fact]
    public void Check_BrokenDocumentBesideAPrivilegedPod_FailsOnlyThatDocument()
    {
        var file = Write("mixed.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  a: eA==\n  a: eQ==\n---\n" + PrivilegedPod);

        var (code, output, error) = Run(null, "check", "--pss", "baseline", file);

        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains($"{file}:7: ", error, StringComparison.Ordinal);
        Assert.Contains("duplicate key", error, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"DENIED  Pod \"priv\" without a namespace ({file}:9)", output, StringComparison.Ordinal);
        Assert.Contains("1 file could not be read in full (exit code 2)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_InvalidYamlDocumentBesideAPrivilegedPod_StillChecksThePod()
    {
        var file = Write("invalid.yaml", PrivilegedPod + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels: [a\n");

        var (code, output, error) = Run(null, "check", "--pss", "baseline", file);

        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains("is not valid YAML", error, StringComparison.Ordinal);
        Assert.Contains("DENIED  Pod \"priv\"", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_UnreadableFiles_AreCountedInTheSummaryAndExitTwo()
    {
        var broken = Write("a-broken.yaml", "apiVersion: v1\nkind: Pod\nmetadata: [\n");
        Write("b-pod.yaml", PrivilegedPod);

        var (code, output, _) = Run(null, "check", "--pss", "baseline", Temp, Path.Combine(Temp, "missing.yaml"));

        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains("DENIED  Pod \"priv\"", output, StringComparison.Ordinal);
        Assert.Contains("; 2 files could not be read in full (exit code 2).", output, StringComparison.Ordinal);
        Assert.True(File.Exists(broken));
    }

    [Fact]
    public void Check_DotFolder_IsSkippedWithANote()
    {
        Write(Path.Combine(".github", "workflow-pod.yaml"), PrivilegedPod);
        Write("app.yaml", PrivilegedPod.Replace("priv", "app", StringComparison.Ordinal));

        var (_, output, _) = Run(null, "check", "--pss", "baseline", Temp);

        Assert.DoesNotContain("workflow-pod.yaml", output, StringComparison.Ordinal);
        Assert.Contains($"note: {Path.Combine(Temp, ".github")}: skipped, a folder whose name starts with a dot", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_KustomizePatchesAndOtherYaml_AreListedAsSkippedWithTheReason()
    {
        Write("kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [app.yaml]\npatches:\n- path: patch.yaml\n- path: json-patch.yaml\n  target: {kind: Deployment}\n");
        Write("app.yaml", PrivilegedPod);
        Write("patch.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        resources: {limits: {memory: 1Gi}}\n");
        Write("json-patch.yaml", "- op: replace\n  path: /spec/replicas\n  value: 3\n");
        Write("values.yaml", "replicaCount: 2\n");

        var (code, output, error) = Run(null, "check", "--pss", "baseline", Temp);

        Assert.Equal(CliApp.Denied, code);
        Assert.Empty(error);
        Assert.DoesNotContain("\"web\"", output, StringComparison.Ordinal);
        Assert.Contains("; 4 documents skipped.", output, StringComparison.Ordinal);
        Assert.Contains($"skipped: {Path.Combine(Temp, "patch.yaml")}:1: a kustomize patch (listed in {Path.Combine(Temp, "kustomization.yaml")}), not an object", output, StringComparison.Ordinal);
        Assert.Contains($"skipped: {Path.Combine(Temp, "json-patch.yaml")}:1: a kustomize patch", output, StringComparison.Ordinal);
        Assert.Contains($"skipped: {Path.Combine(Temp, "kustomization.yaml")}:1: a kustomize Kustomization, not an object", output, StringComparison.Ordinal);
        Assert.Contains($"skipped: {Path.Combine(Temp, "values.yaml")}:1: no apiVersion or kind", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_JsonPatchOutsideAKustomization_IsSkippedAsNotAnObject()
    {
        var file = Write("ops.yaml", "- op: add\n  path: /metadata/labels/a\n  value: b\n");

        var (code, output, error) = Run(null, "check", file);
        var (allowed, _, _) = Run(null, "check", "--allow-empty", file);

        // Said as skipped; with nothing else to check, that is no object at all, which only --allow-empty accepts.
        Assert.Contains($"skipped: {file}:1: a YAML list or value (a JSON patch?), not an object", output, StringComparison.Ordinal);
        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains($"no objects found in {file}", error, StringComparison.Ordinal);
        Assert.Equal(CliApp.Allowed, allowed);
    }

    [Fact]
    public void Check_JsonFormat_ListsSkippedDocumentsAndUnreadableFiles()
    {
        var file = Write("values.yaml", "replicaCount: 2\n");

        var (_, output, _) = Run(null, "check", "--format", "json", file, Path.Combine(Temp, "missing.yaml"));

        using var json = JsonDocument.Parse(output);
        Assert.Equal(1, json.RootElement.GetProperty("unreadableFiles").GetInt32());
        var skipped = Assert.Single(json.RootElement.GetProperty("skipped").EnumerateArray());
        Assert.Equal(file, skipped.GetProperty("source").GetString());
    }
}
