using System.Text.Json.Nodes;
using k8s;
using PolicyWebhook.Host.Cluster;

namespace PolicyWebhook.Host.Tests.Cluster;

/// <summary>The README's generated NetworkPolicy is what the generator makes for the example policy in deploy/policies.</summary>
public sealed class GeneratedNetworkPolicyReadmeTests
{
    [Fact]
    public void Generate_ExamplePolicy_IsWhatTheReadmeShows()
    {
        var example = PolicyWebhook.Policies.PolicyLoader.LoadText(File.ReadAllText(RepoPaths.Of("deploy", "policies", "namespace-isolation.yaml")), "namespace-isolation.yaml").Single();
        var rule = PolicyWebhook.Policies.PolicyCompiler.CompileIsolation(example.Resource)!;

        var generated = JsonNode.Parse(KubernetesJson.Serialize(NetworkPolicyGenerator.Generate(rule, "shop")))!;
        var readme = PolicyWebhook.Policies.Yaml.ManifestReader.Read(string.Join('\n', PolicyWebhook.Tests.Shared.ReadmeBlocks.Block(RepoPaths.Root, "generated-network-policy")), "README.md").Single().Root;

        Assert.True(JsonNode.DeepEquals(readme, generated), $"README:\n{readme.ToJsonString()}\ngenerated:\n{generated.ToJsonString()}");
    }
}
