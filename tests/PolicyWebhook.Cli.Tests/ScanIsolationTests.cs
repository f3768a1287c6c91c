using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace PolicyWebhook.Cli.Tests;

/// <summary><c>scan</c> lists the namespaces an isolation rule matches that no NetworkPolicy isolates, in text and in JSON.</summary>
public sealed class ScanIsolationTests : IAsyncLifetime
{
    private FakeKubernetes _cluster = null!;
    private bool _networkPoliciesForbidden;
    private string _policies = """{"apiVersion":"policywebhook.io/v1alpha1","kind":"ClusterPolicy","metadata":{"name":"isolate"},"spec":{"mode":"Audit","namespaceIsolation":{"egress":true},"exclude":{"namespaces":["lab"]}}}""";

    private static string List(params string[] items) => $$"""{"apiVersion":"v1","kind":"List","metadata":{"resourceVersion":"7"},"items":[{{string.Join(",", items)}}]}""";

    public async ValueTask InitializeAsync()
    {
        _cluster = await FakeKubernetes.StartAsync(async context =>
        {
            context.Response.ContentType = "application/json";
            var path = context.Request.Path.Value!;
            var answer = path switch
            {
                "/apis/policywebhook.io/v1alpha1/clusterpolicies" => List(_policies),
                "/api/v1/namespaces" => List("""{"metadata":{"name":"shop"}}""", """{"metadata":{"name":"blog"}}""", """{"metadata":{"name":"news"}}""", """{"metadata":{"name":"lab"}}""", """{"metadata":{"name":"kube-system"}}"""),
                "/apis/networking.k8s.io/v1/networkpolicies" when _networkPoliciesForbidden => null,
                "/apis/networking.k8s.io/v1/networkpolicies" => List(
                    """{"metadata":{"name":"deny","namespace":"blog"},"spec":{"podSelector":{},"policyTypes":["Ingress","Egress"]}}""",
                    """{"metadata":{"name":"deny","namespace":"news"},"spec":{"podSelector":{}}}""",
                    """{"metadata":{"name":"web","namespace":"shop"},"spec":{"podSelector":{"matchLabels":{"app":"web"}},"policyTypes":["Ingress","Egress"]}}"""),
                _ when path.StartsWith("/apis/policywebhook.io/", StringComparison.Ordinal) || path.StartsWith("/apis/apps/", StringComparison.Ordinal)
                    || path.StartsWith("/apis/batch/", StringComparison.Ordinal) || path is "/api/v1/pods" or "/api/v1/replicationcontrollers" => List(),
                _ => null,
            };
            if (answer is null)
            {
                context.Response.StatusCode = path.Contains("networkpolicies", StringComparison.Ordinal) ? 403 : 404;
                await context.Response.WriteAsync("""{"kind":"Status","apiVersion":"v1","status":"Failure","code":403}""");
                return;
            }

            await context.Response.WriteAsync(answer);
        });
    }

    public ValueTask DisposeAsync() => _cluster.DisposeAsync();

    private (int Exit, string Output, string Error) Scan(params string[] extra)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = CliApp.Run(["scan", "--kubeconfig", _cluster.Kubeconfig, .. extra], output, error);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public void Scan_AuditIsolationRule_ListsTheNamespacesWithoutIsolation()
    {
        var (exit, output, _) = Scan();

        Assert.Equal(0, exit);
        Assert.Contains(
            "Namespaces without network isolation:\n"
            + "  [Audit] namespace news: no NetworkPolicy with podSelector: {} for Egress (ClusterPolicy \"isolate\")\n"
            + "  [Audit] namespace shop: no NetworkPolicy with podSelector: {} for Ingress, Egress (ClusterPolicy \"isolate\")\n",
            output.ReplaceLineEndings("\n"),
            StringComparison.Ordinal);
        Assert.DoesNotContain("namespace blog:", output, StringComparison.Ordinal);
        Assert.DoesNotContain("namespace lab:", output, StringComparison.Ordinal);
        Assert.DoesNotContain("namespace kube-system:", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Scan_AuditIsolationRule_IsWhatTheReadmeShows()
    {
        var (_, output, _) = Scan();
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "PolicyWebhook.sln")))
        {
            root = root.Parent!;
        }

        PolicyWebhook.Tests.Shared.ReadmeBlocks.AssertShows(
            PolicyWebhook.Tests.Shared.ReadmeBlocks.Block(root.FullName, "scan-isolation"),
            output.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void Scan_Json_HasTheUnisolatedNamespaces()
    {
        var (_, output, _) = Scan("--format", "json");

        var gaps = JsonNode.Parse(output)!["unisolatedNamespaces"]!.AsArray();
        Assert.Equal(["news", "shop"], gaps.Select(g => (string)g!["namespace"]!));
        Assert.Equal("isolate", (string?)gaps[1]!["policy"]);
        Assert.Equal("Audit", (string?)gaps[1]!["mode"]);
        Assert.Equal(["Ingress", "Egress"], gaps[1]!["missing"]!.AsArray().Select(m => (string)m!));
    }

    [Fact]
    public void Scan_NoIsolationRule_SaysNothingOfIsolation()
    {
        _policies = """{"apiVersion":"policywebhook.io/v1alpha1","kind":"ClusterPolicy","metadata":{"name":"tags"},"spec":{"rules":{"imageTags":{}}}}""";

        var (_, text, _) = Scan();
        var (_, json, _) = Scan("--format", "json");

        Assert.DoesNotContain("network isolation", text, StringComparison.Ordinal);
        Assert.Null(JsonNode.Parse(json)!["unisolatedNamespaces"]);
    }

    [Fact]
    public void Scan_NetworkPoliciesForbidden_WarnsAndJudgesNoIsolation()
    {
        _networkPoliciesForbidden = true;

        var (exit, output, error) = Scan();

        Assert.Equal(0, exit);
        Assert.DoesNotContain("network isolation", output, StringComparison.Ordinal);
        Assert.Contains("warning: cannot list NetworkPolicies (403): namespace isolation is not judged", error, StringComparison.Ordinal);
    }
}
