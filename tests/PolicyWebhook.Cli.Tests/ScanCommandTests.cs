using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace PolicyWebhook.Cli.Tests;

/// <summary><c>scan</c> against an HTTP server that answers the list calls as the Kubernetes API server does, with paging.</summary>
public sealed class ScanCommandTests : IAsyncLifetime
{
    private FakeKubernetes _cluster = null!;
    private string _kubeconfig = null!;
    private int _podPages;
    private volatile bool _expireContinueOnce;

    private static string List(params string[] items) => $$"""{"apiVersion":"v1","kind":"List","metadata":{"resourceVersion":"7"},"items":[{{string.Join(",", items)}}]}""";

    private static string Workload(string name, string ns, string image, string owner = "") =>
        """{"metadata":{"name":"NAME","namespace":"NS"OWNER},"spec":{"template":{"spec":{"containers":[{"name":"app","image":"IMAGE"}]}}}}"""
            .Replace("NAME", name, StringComparison.Ordinal).Replace("NS", ns, StringComparison.Ordinal).Replace("IMAGE", image, StringComparison.Ordinal)
            .Replace("OWNER", owner, StringComparison.Ordinal);

    private static string Pod(string name, string ns, string image, string owner = "") =>
        """{"metadata":{"name":"NAME","uid":"uid-NAME","namespace":"NS"OWNER},"spec":{"containers":[{"name":"app","image":"IMAGE"}]}}"""
            .Replace("NAME", name, StringComparison.Ordinal).Replace("NS", ns, StringComparison.Ordinal).Replace("IMAGE", image, StringComparison.Ordinal)
            .Replace("OWNER", owner, StringComparison.Ordinal);

    private static string OwnedBy(string kind, string name) => $$""","ownerReferences":[{"apiVersion":"apps/v1","kind":"{{kind}}","name":"{{name}}","uid":"u","controller":true}]""";

    public async ValueTask InitializeAsync()
    {
        var expiry = DateTimeOffset.UtcNow.AddDays(30).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        var answers = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["/apis/policywebhook.io/v1alpha1/clusterpolicies"] = List(
                """{"apiVersion":"policywebhook.io/v1alpha1","kind":"ClusterPolicy","metadata":{"name":"tags"},"spec":{"rules":{"imageTags":{}}}}""",
                """{"apiVersion":"policywebhook.io/v1alpha1","kind":"ClusterPolicy","metadata":{"name":"broken"},"spec":{"mode":"Enforced","rules":{"imageTags":{}}}}"""),
            ["/apis/policywebhook.io/v1alpha1/policies"] = List(),
            ["/apis/policywebhook.io/v1alpha1/policyexceptions"] = List(
                """{"apiVersion":"policywebhook.io/v1alpha1","kind":"PolicyException","metadata":{"name":"legacy-ok","namespace":"shop"},"spec":{"policy":{"name":"tags"},"checks":["imageTags"],"match":{"names":["legacy"]},"justification":"the vendor ships only :latest until March","expiresAt":"EXPIRY"}}"""
                    .Replace("EXPIRY", expiry, StringComparison.Ordinal)),
            ["/api/v1/namespaces"] = List("""{"metadata":{"name":"shop"}}""", """{"metadata":{"name":"lab"}}"""),
            ["/apis/apps/v1/deployments"] = List(Workload("web", "shop", "nginx"), Workload("legacy", "shop", "nginx"), Workload("coredns", "kube-system", "coredns")),
            ["/apis/apps/v1/daemonsets"] = List(Workload("cilium", "cni", "cilium")),
            ["/apis/apps/v1/replicasets"] = List(Workload("web-6d4cf", "shop", "nginx", OwnedBy("Deployment", "web"))),
            ["/apis/apps/v1/statefulsets"] = List(),
            ["/apis/batch/v1/jobs"] = List(),
            ["/apis/batch/v1/cronjobs"] = List(),
            ["/api/v1/replicationcontrollers"] = List(),
        };
        _cluster = await FakeKubernetes.StartAsync(async context =>
        {
            context.Response.ContentType = "application/json";
            var path = context.Request.Path.Value!;
            if (path == "/api/v1/pods")
            {
                // Two pages, joined by a continue token, as a large cluster answers.
                Interlocked.Increment(ref _podPages);
                var second = context.Request.Query["continue"] == "page-2";
                if (second && _expireContinueOnce)
                {
                    _expireContinueOnce = false;
                    context.Response.StatusCode = 410;
                    await context.Response.WriteAsync("""{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Expired","code":410,"message":"The provided continue parameter is too old"}""");
                    return;
                }

                Assert.Equal("500", context.Request.Query["limit"]);
                var page = second
                    ? List(Pod("debug", "lab", "busybox"))
                    : List(Pod("web-6d4cf-x1", "shop", "nginx", OwnedBy("ReplicaSet", "web-6d4cf")), Pod("standalone", "lab", "nginx:1.27"));
                await context.Response.WriteAsync(second ? page : page.Replace("\"resourceVersion\":\"7\"", "\"resourceVersion\":\"7\",\"continue\":\"page-2\"", StringComparison.Ordinal));
                return;
            }

            if (!answers.TryGetValue(path, out var answer))
            {
                context.Response.StatusCode = 404;
                return;
            }

            await context.Response.WriteAsync(answer);
        });
        _kubeconfig = _cluster.Kubeconfig;
    }

    public ValueTask DisposeAsync() => _cluster.DisposeAsync();

    private (int Exit, string Output, string Error) Scan(params string[] extra)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = CliApp.Run(["scan", "--kubeconfig", _kubeconfig, .. extra], output, error);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public void Scan_Cluster_ReportsByNamespaceAndPolicyOnceWhereItIsFixed()
    {
        var (exit, output, error) = Scan();

        Assert.Equal(1, exit);
        Assert.Contains("Policies: 1 policy and 1 exception of the cluster.", output, StringComparison.Ordinal);
        Assert.Contains("namespace lab\n  ClusterPolicy \"tags\"\n    [Enforce] Pod \"debug\": imageTags (", output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("namespace shop\n  ClusterPolicy \"tags\"\n    [Enforce] Deployment \"web\": imageTags (", output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("waived by PolicyException \"shop/legacy-ok\": Deployment \"legacy\": imageTags (", output, StringComparison.Ordinal);
        Assert.DoesNotContain("web-6d4cf", output, StringComparison.Ordinal);
        Assert.Contains("5 workloads scanned: 3 would be denied today, 0 allowed with findings, 2 compliant.", output, StringComparison.Ordinal);
        Assert.Contains("Not scanned: 1 workload in namespaces the webhook exempts (kube-system).", output, StringComparison.Ordinal);
        Assert.DoesNotContain("coredns", output, StringComparison.Ordinal);
        Assert.Contains("warning: ClusterPolicy \"broken\" is not in force: spec.mode: \"Enforced\" is not a mode (use Enforce, Warn or Audit)", error, StringComparison.Ordinal);
        Assert.Equal(2, _podPages);
    }

    [Fact]
    public void Scan_ContinueTokenExpires_ListsAgainWithoutCountingTwice()
    {
        _expireContinueOnce = true;

        var (exit, output, _) = Scan();

        Assert.Equal(1, exit);
        Assert.Equal(4, _podPages);
        Assert.Contains("5 workloads scanned: 3 would be denied today, 0 allowed with findings, 2 compliant.", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Scan_Json_HasTheShapeOfCheck()
    {
        var (exit, output, _) = Scan("--format", "json");

        Assert.Equal(1, exit);
        var report = JsonNode.Parse(output)!;
        var results = report["results"]!.AsArray();
        Assert.Contains(results, r => (string?)r!["kind"] == "Deployment" && (string?)r["name"] == "web" && !(bool)r["allowed"]! && (string?)r["violations"]![0]!["check"] == "imageTags");
        Assert.Contains(results, r => (string?)r!["name"] == "debug" && (string?)r["namespace"] == "lab");
        Assert.NotNull(report["errors"]);
    }

    [Fact]
    public void Scan_UnreachableCluster_ExitsTwoSayingWhy()
    {
        var text = File.ReadAllText(_kubeconfig);
        File.WriteAllText(_kubeconfig, System.Text.RegularExpressions.Regex.Replace(text, @"http://127\.0\.0\.1:[0-9]+", "http://127.0.0.1:9"));

        var (exit, _, error) = Scan();

        Assert.Equal(2, exit);
        Assert.StartsWith("error: cannot scan the cluster: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Scan_ExcludedNamespaces_AreThoseTheWebhookExempts_NotReportedAsDenied()
    {
        // The chart passes the webhook's own list: its namespace, kube-system and the operator's extra ones.
        var (exit, output, _) = Scan("--exclude-namespace", "policy-webhook", "--exclude-namespace", "kube-system", "--exclude-namespace", "cni");

        Assert.Equal(1, exit);
        Assert.DoesNotContain("cilium", output, StringComparison.Ordinal);
        Assert.Contains("4 workloads scanned: 2 would be denied today", output, StringComparison.Ordinal);
        Assert.Contains("Not scanned: 2 workloads in namespaces the webhook exempts (cni, kube-system, policy-webhook).", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_NoKubeconfigOption_ReadsTheKubeconfigVariableAsAList()
    {
        var home = Directory.CreateTempSubdirectory("policywebhook-home-").FullName;
        try
        {
            var cli = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "policywebhook.exe" : "policywebhook");
            var start = new System.Diagnostics.ProcessStartInfo(cli) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = home };
            start.ArgumentList.Add("scan");
            start.Environment["HOME"] = home;
            start.Environment.Remove("KUBERNETES_SERVICE_HOST");
            start.Environment["KUBECONFIG"] = string.Join(Path.PathSeparator, Path.Combine(home, "missing.yaml"), _kubeconfig);
            using var process = System.Diagnostics.Process.Start(start)!;
            var output = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var error = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);

            Assert.True(process.ExitCode == 1, error);
            Assert.Contains("5 workloads scanned: 3 would be denied today", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    [Fact]
    public void Scan_TheReadmesTranscript_IsWhatScanPrints()
    {
        var (_, output, _) = Scan();

        PolicyWebhook.Tests.Shared.ReadmeBlocks.AssertShows(
            PolicyWebhook.Tests.Shared.ReadmeBlocks.Block(FindRoot(), "scan"),
            output.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n'));
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
