using System.Text.Json.Nodes;
using k8s;
using PolicyWebhook.Host.Cluster;
using PolicyWebhook.Host.Tls;
using PolicyWebhook.Policies;
using PolicyWebhook.Policies.Resources;
using PolicyWebhook.Policies.Yaml;
using PolicyWebhook.Tests.Shared;

namespace PolicyWebhook.Chart.Tests;

/// <summary>
/// The README's transcripts of what the webhook answers, held to what the real server (on Kestrel, over TLS) and
/// the status writer's own code produce, wrapped the way kubectl prints an API server's answer.
/// </summary>
public sealed class ReadmeTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("policywebhook-readme").FullName;
    private string _ca = null!;
    private WebhookServer _server = null!;

    public async ValueTask InitializeAsync()
    {
        _ca = DevCertificates.Create(_folder);
        var policies = Directory.CreateDirectory(Path.Combine(_folder, "policies")).FullName;
        File.Copy(Path.Combine(Helm.Root, "deploy", "policies", "pss-baseline-enforce-restricted-warn.yaml"), Path.Combine(policies, "pss.yaml"));
        _server = await WebhookServer.StartAsync(_folder, new Dictionary<string, string?> { ["Policies:Directory"] = policies });
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private static string Review(JsonObject obj, string @namespace)
    {
        var apiVersion = (string)obj["apiVersion"]!;
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        return new JsonObject
        {
            ["apiVersion"] = "admission.k8s.io/v1",
            ["kind"] = "AdmissionReview",
            ["request"] = new JsonObject
            {
                ["uid"] = Guid.NewGuid().ToString(),
                ["kind"] = new JsonObject { ["group"] = slash < 0 ? "" : apiVersion[..slash], ["version"] = apiVersion[(slash + 1)..], ["kind"] = (string)obj["kind"]! },
                ["namespace"] = @namespace,
                ["name"] = (string)obj["metadata"]!["name"]!,
                ["operation"] = "CREATE",
                ["userInfo"] = new JsonObject { ["username"] = "dev@example.com" },
                ["object"] = obj.DeepClone(),
                ["dryRun"] = false,
            },
        }.ToJsonString();
    }

    private static JsonObject PolicyOfTheReadme() =>
        ManifestReader.Read(string.Join('\n', ReadmeBlocks.Block(Helm.Root, "policy-with-mistakes")), "README.md").Single().Root;

    /// <summary>The webhook the README quotes is one the chart registers, so the API server names it so.</summary>
    private static void AssertChartNames(string webhook) =>
        Assert.Contains(Helm.Template().Webhooks(), w => (string?)w["name"] == webhook);

    [Fact]
    public async Task The_rejection_of_kubectl_run_privileged_is_what_the_webhook_answers()
    {
        var readme = ReadmeBlocks.Block(Helm.Root, "rejection");
        Assert.Equal("$ kubectl run debug -n shop --image=busybox:1.36 --privileged", readme[0]);
        // The Pod `kubectl run` sends for that command line.
        var pod = JsonNode.Parse("""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"debug","namespace":"shop","labels":{"run":"debug"}},
             "spec":{"containers":[{"name":"debug","image":"busybox:1.36","resources":{},"securityContext":{"privileged":true}}],
                     "restartPolicy":"Always","dnsPolicy":"ClusterFirst"}}
            """)!.AsObject();

        var response = JsonNode.Parse(await _server.ValidateAsync(Review(pod, "shop"), _ca))!["response"]!;

        Assert.Equal("Forbidden", (string?)response["status"]!["reason"]);
        var printed = response["warnings"]!.AsArray().Select(w => $"Warning: {w}")
            .Concat(($"Error from server (Forbidden): admission webhook \"validate.pods.policywebhook.io\" denied the request: {response["status"]!["message"]}").Split('\n'))
            .ToList();
        ReadmeBlocks.AssertShows(readme.Skip(1).ToList(), printed);
        AssertChartNames("validate.pods.policywebhook.io");
    }

    [Fact]
    public async Task The_refusal_of_a_policy_with_mistakes_is_what_the_webhook_answers()
    {
        var readme = ReadmeBlocks.Block(Helm.Root, "policy-refused");

        var response = JsonNode.Parse(await _server.ValidateAsync(Review(PolicyOfTheReadme(), ""), _ca, "/validate-policy"))!["response"]!;

        // 422 Invalid with no details is what kubectl prints as "The request is invalid: <message>", where kubectl
        // apply has put the file it read before the webhook's message.
        Assert.Equal(422, (int)response["status"]!["code"]!);
        Assert.Equal("Invalid", (string?)response["status"]!["reason"]);
        var printed = $"The request is invalid: error when creating \"registries.yaml\": admission webhook \"validate.clusterpolicies.policywebhook.io\" denied the request: {response["status"]!["message"]}".Split('\n');
        Assert.Equal("$ kubectl apply -f registries.yaml", readme[0]);
        Assert.Equal(printed, readme.Skip(1));
        AssertChartNames("validate.clusterpolicies.policywebhook.io");
    }

    [Fact]
    public void The_status_of_that_policy_stored_anyway_is_what_the_status_writer_writes()
    {
        var readme = ReadmeBlocks.Block(Helm.Root, "not-ready");
        // As the cluster watcher reads it: the API server's JSON into the resource type, then judged.
        var policy = KubernetesJson.Deserialize<ClusterPolicy>(PolicyOfTheReadme().ToJsonString());
        var (_, problems) = PolicyCompiler.CompileIfValid(policy);
        var (status, _, message) = new ObjectState("ClusterPolicy", "clusterpolicies", null, policy.Metadata.Name, 1, null, problems).DesiredAt(DateTimeOffset.UtcNow);

        var row = readme.Single(l => l.StartsWith(policy.Metadata.Name + " ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal([policy.Metadata.Name, policy.Spec.Mode!, "<none>", status], row[..4]);
        Assert.Equal(message, readme[readme.ToList().FindIndex(l => l.Contains("jsonpath", StringComparison.Ordinal)) + 1]);
    }
}
