using PolicyWebhook.Engine;
using PolicyWebhook.Engine.Workloads;
using PolicyWebhook.Policies.Yaml;

namespace PolicyWebhook.Policies.Tests;

/// <summary>Which objects a policy applies to, and how several policies combine.</summary>
public sealed class PolicyMatchingTests
{
    private const string RootPod = """
        apiVersion: v1
        kind: Pod
        metadata: {name: web, namespace: NAMESPACE, labels: {app: web, tier: front}}
        spec:
          containers:
          - name: app
            image: registry.example.com/app:1.0
          - name: pause
            image: registry.k8s.io/pause:3.10
        """;

    private static EvaluationResult Evaluate(string policies, string ns = "shop", IDictionary<string, string>? namespaceLabels = null)
    {
        var compiled = PolicyLoader.LoadText(policies, "p.yaml").Select(p => p.Compiled).ToList();
        var document = ManifestReader.Read(RootPod.Replace("NAMESPACE", ns, StringComparison.Ordinal), "pod.yaml").Single();
        var pod = WorkloadDecoder.Decode("Pod", document.Root.ToJsonString());
        return new PolicyEvaluator(compiled).Evaluate(pod, new EvaluationContext("default", namespaceLabels))!;
    }

    private static string Policy(string kind, string name, string spec, string? ns = null) =>
        $"apiVersion: policywebhook.io/v1alpha1\nkind: {kind}\nmetadata:\n  name: {name}\n" + (ns is null ? string.Empty : $"  namespace: {ns}\n") + "spec:\n" + spec + "---\n";

    [Theory]
    [InlineData("shop", true)]
    [InlineData("shop-staging", true)]
    [InlineData("kube-system", false)]
    public void Evaluate_NamespacePatterns_SelectNamespaces(string ns, bool applies)
    {
        var result = Evaluate(Policy("ClusterPolicy", "p", "  rules: {readOnlyRootFilesystem: {}}\n  match: {namespaces: [\"shop*\"]}\n"), ns);
        Assert.Equal(applies ? 1 : 0, result.PoliciesApplied);
    }

    [Fact]
    public void Evaluate_NamespaceSelector_UsesTheNamespaceLabels()
    {
        var policy = Policy("ClusterPolicy", "p", "  rules: {readOnlyRootFilesystem: {}}\n  match:\n    namespaceSelector: {matchLabels: {env: prod}}\n");
        Assert.Equal(1, Evaluate(policy, namespaceLabels: new Dictionary<string, string> { ["env"] = "prod" }).PoliciesApplied);
        Assert.Equal(0, Evaluate(policy, namespaceLabels: new Dictionary<string, string> { ["env"] = "dev" }).PoliciesApplied);
        Assert.Equal(1, Evaluate(policy, namespaceLabels: null).PoliciesApplied);
    }

    [Fact]
    public void Evaluate_ObjectSelectorAndKinds_NarrowThePolicy()
    {
        Assert.Equal(0, Evaluate(Policy("ClusterPolicy", "p", "  rules: {readOnlyRootFilesystem: {}}\n  match: {kinds: [Deployment]}\n")).PoliciesApplied);
        Assert.Equal(1, Evaluate(Policy("ClusterPolicy", "p", "  rules: {readOnlyRootFilesystem: {}}\n  match:\n    objectSelector:\n      matchExpressions: [{key: tier, operator: In, values: [front]}]\n")).PoliciesApplied);
        Assert.Equal(0, Evaluate(Policy("ClusterPolicy", "p", "  rules: {readOnlyRootFilesystem: {}}\n  match:\n    objectSelector: {matchLabels: {tier: back}}\n")).PoliciesApplied);
    }

    [Fact]
    public void Evaluate_ExcludedImage_SkipsOnlyThatContainer()
    {
        var result = Evaluate(Policy("ClusterPolicy", "p", "  rules: {readOnlyRootFilesystem: {}}\n  exclude: {images: [\"registry.k8s.io/pause:*\"]}\n"));
        var violation = Assert.Single(result.Violations);
        Assert.Equal("spec.containers[0].securityContext.readOnlyRootFilesystem", violation.Path);
    }

    [Fact]
    public void Evaluate_NamespacedPolicy_AppliesOnlyInItsNamespace()
    {
        var policy = Policy("Policy", "team", "  rules: {readOnlyRootFilesystem: {}}\n", "shop");
        Assert.Equal(1, Evaluate(policy, "shop").PoliciesApplied);
        Assert.Equal(0, Evaluate(policy, "other").PoliciesApplied);
    }

    [Fact]
    public void Evaluate_SeveralPolicies_AnyEnforceViolationDenies()
    {
        var warnOnly = Policy("ClusterPolicy", "warn", "  mode: Warn\n  rules: {readOnlyRootFilesystem: {}}\n");
        var enforce = Policy("Policy", "team", "  rules: {imageTags: {requireDigest: true}}\n", "shop");

        var warned = Evaluate(warnOnly);
        var both = Evaluate(warnOnly + enforce);

        Assert.True(warned.Allowed);
        Assert.Equal(2, warned.Violations.Count);
        Assert.False(both.Allowed);
        Assert.Equal(2, both.PoliciesApplied);
        Assert.Equal(
            "Pod \"web\" violates Policy \"shop/team\": imageTags (container \"app\" must pin image \"registry.example.com/app:1.0\" by digest (@sha256:...) at spec.containers[0].image); "
            + "imageTags (container \"pause\" must pin image \"registry.k8s.io/pause:3.10\" by digest (@sha256:...) at spec.containers[1].image)",
            VerdictText.Summary(both));
    }
}
