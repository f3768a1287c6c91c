using System.Text.Json;

namespace PolicyWebhook.Cli.Tests;

/// <summary>What <c>check</c> prints: findings grouped by container, namespaces as written, the summary tables.</summary>
public sealed class CheckReportTests : IDisposable
{
    private const string TwoContainers = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: two\nspec:\n  containers:\n  - name: first\n    image: registry.example.com/a:1.0\n  - name: second\n    image: registry.example.com/b:1.0\n";

    private readonly string _temp = Directory.CreateTempSubdirectory("policywebhook-report-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = CliApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_temp, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Check_TwoContainers_FindingsGroupedByContainerInObjectOrder()
    {
        var (_, output, _) = Run("check", Write("two.yaml", TwoContainers));

        var lines = output.Split('\n').Select((text, i) => (text, i)).Where(l => l.text.StartsWith("  [", StringComparison.Ordinal)).ToList();
        var first = lines.Where(l => l.text.Contains("container \"first\"", StringComparison.Ordinal)).Select(l => l.i).ToList();
        var second = lines.Where(l => l.text.Contains("container \"second\"", StringComparison.Ordinal)).Select(l => l.i).ToList();
        Assert.NotEmpty(first);
        Assert.NotEmpty(second);
        Assert.True(first.Max() < second.Min(), output);
    }

    [Fact]
    public void Check_NoContainerSetsRunAsNonRoot_SaysItOnceAtPodLevel()
    {
        var (_, output, _) = Run("check", Write("two.yaml", TwoContainers));

        Assert.Contains("pod must set securityContext.runAsNonRoot=true once, or on each of the 2 containers at spec.securityContext.runAsNonRoot", output, StringComparison.Ordinal);
        Assert.DoesNotContain("must set securityContext.runAsNonRoot=true at spec.containers", output, StringComparison.Ordinal);
        Assert.Contains("container \"first\" must set resources.requests.cpu, requests.memory, limits.memory", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_Summary_CountsByCheckPolicyAndFile()
    {
        var file = Write("two.yaml", TwoContainers);

        var (_, output, _) = Run("check", "--summary", "--pss", "restricted", file);

        var summary = output[output.IndexOf("Summary: ", StringComparison.Ordinal)..];
        Assert.Matches(@"(?m)^By check\s+FINDINGS\s+ENFORCED$", summary);
        Assert.Matches(@"(?m)^allowPrivilegeEscalation\s+2\s+2$", summary);
        Assert.Matches(@"(?m)^runAsNonRoot\s+1\s+1$", summary);
        Assert.Matches(@"(?m)^ClusterPolicy ""pss-restricted-latest""\s+\d+\s+\d+$", summary);
        Assert.Matches("(?m)^" + System.Text.RegularExpressions.Regex.Escape(file) + @"\s+\d+\s+\d+$", summary);
    }

    [Fact]
    public void Check_ObjectWithoutNamespace_IsShownWithoutOne()
    {
        var (_, output, _) = Run("check", Write("two.yaml", TwoContainers));

        Assert.Contains("Pod \"two\" without a namespace", output, StringComparison.Ordinal);
        Assert.DoesNotContain("\"default\"", output.Replace("ClusterPolicy \"default\"", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_NamespaceOption_PlacesTheObjectAndDrivesPolicyMatching()
    {
        var policy = Write("policy.yaml", "apiVersion: policywebhook.io/v1alpha1\nkind: Policy\nmetadata:\n  name: shop-only\n  namespace: shop\nspec:\n  podSecurity: {level: baseline}\n");
        var pod = Write("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: a\n    image: a:1\n    securityContext: {privileged: true}\n");

        var inShop = Run("check", "--policy", policy, "--namespace", "shop", pod);
        var nowhere = Run("check", "--policy", policy, pod);

        Assert.Equal(CliApp.Denied, inShop.Code);
        Assert.Contains("Pod \"p\" in namespace \"shop\"", inShop.Output, StringComparison.Ordinal);
        Assert.Equal(CliApp.Allowed, nowhere.Code);
        Assert.Contains("ALLOWED Pod \"p\" without a namespace", nowhere.Output, StringComparison.Ordinal);
        Assert.Contains("allowed because no policy matched it", nowhere.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_ExcludeNamespace_SkipsItsObjectsAndSaysWhy()
    {
        var pod = Write("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: kube-system\nspec:\n  containers:\n  - name: a\n    image: a:1\n    securityContext: {privileged: true}\n");

        var excluded = Run("check", "--pss", "baseline", "--exclude-namespace", "tools", "--exclude-namespace", "kube-system", pod);
        var byDefault = Run("check", "--pss", "baseline", pod);

        Assert.Equal(CliApp.Allowed, excluded.Code);
        Assert.Contains("Pod in namespace \"kube-system\", which the webhook exempts (--exclude-namespace)", excluded.Output, StringComparison.Ordinal);
        Assert.Equal(CliApp.Denied, byDefault.Code);
    }

    [Fact]
    public void Check_JsonFormat_GivesNoNamespaceAsNull()
    {
        var (_, output, _) = Run("check", "--format", "json", Write("two.yaml", TwoContainers));

        using var json = JsonDocument.Parse(output);
        var result = Assert.Single(json.RootElement.GetProperty("results").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, result.GetProperty("namespace").ValueKind);
    }
}
