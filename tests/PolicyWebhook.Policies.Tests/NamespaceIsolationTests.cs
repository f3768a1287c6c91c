using PolicyWebhook.Engine;

namespace PolicyWebhook.Policies.Tests;

/// <summary>The namespace isolation rule: a ClusterPolicy only, its defaults, and which namespaces it matches.</summary>
public sealed class NamespaceIsolationTests
{
    private static NamespaceIsolationRule? Rule(string spec, string kind = "ClusterPolicy")
    {
        var yaml = $"apiVersion: policywebhook.io/v1alpha1\nkind: {kind}\nmetadata:\n  name: isolate\nspec:\n{spec}";
        return PolicyCompiler.CompileIsolation(PolicyLoader.LoadText(yaml, "test.yaml").Single().Resource);
    }

    private static IReadOnlyList<string> Problems(string spec, string kind)
    {
        var yaml = $"apiVersion: policywebhook.io/v1alpha1\nkind: {kind}\nmetadata:\n  name: isolate\n  namespace: shop\nspec:\n{spec}";
        return Assert.Throws<PolicyLoadException>(() => PolicyLoader.LoadText(yaml, "test.yaml")).Problems;
    }

    [Fact]
    public void Compile_IsolationOnly_TakesTheDefaultsAndThePolicyMode()
    {
        var rule = Rule("  mode: Warn\n  namespaceIsolation: {}\n");

        Assert.NotNull(rule);
        Assert.Equal(new NamespaceIsolationRule("isolate", PolicyMode.Warn, false, true, true, false, rule.Match, rule.Exclude), rule);
        Assert.False(rule.Generates);
    }

    [Fact]
    public void Compile_AllSettings_AreKept()
    {
        var rule = Rule("  namespaceIsolation: {mode: Enforce, egress: true, allowDns: false, generate: true, keep: true}\n");

        Assert.NotNull(rule);
        Assert.Equal((PolicyMode.Enforce, true, false, true, true), (rule.Mode, rule.Egress, rule.AllowDns, rule.Generate, rule.Keep));
        Assert.True(rule.Generates);
    }

    [Fact]
    public void Compile_NoIsolation_IsNull() => Assert.Null(Rule("  rules: {readOnlyRootFilesystem: {}}\n"));

    [Fact]
    public void Load_IsolationOnANamespacedPolicy_IsRefusedNamingTheField() =>
        Assert.Equal(
            ["test.yaml:8: spec.namespaceIsolation: a namespaced Policy cannot isolate namespaces: move namespaceIsolation to a ClusterPolicy"],
            Problems("  rules: {readOnlyRootFilesystem: {}}\n  namespaceIsolation: {}\n", "Policy"));

    [Fact]
    public void Load_BadIsolationMode_IsNamed() =>
        Assert.Equal(
            ["test.yaml:8: spec.namespaceIsolation.mode: \"Deny\" is not a mode (use Enforce, Warn or Audit)"],
            Problems("  namespaceIsolation:\n    mode: Deny\n", "ClusterPolicy"));

    [Theory]
    [InlineData("shop", null, true)]
    [InlineData("shop-dev", null, false)]
    [InlineData("team-a", "prod", true)]
    [InlineData("team-b", "dev", false)]
    [InlineData("kube-system", "prod", false)]
    [InlineData("policy-webhook", "prod", false)]
    [InlineData("other", "prod", false)]
    public void Matches_UsesMatchExcludeAndNeverTheSystemNamespaces(string ns, string? env, bool matches)
    {
        var rule = Rule("""
              namespaceIsolation: {}
              match:
                namespaces: ["shop*", "team-*", kube-system, policy-webhook]
              exclude:
                namespaces: ["*-dev"]
            """)!;
        var selective = Rule("""
              namespaceIsolation: {}
              match:
                namespaces: ["shop*", "team-*", kube-system, policy-webhook]
                namespaceSelector: {matchLabels: {env: prod}}
              exclude:
                namespaces: ["*-dev"]
            """)!;
        var labels = env is null ? null : new Dictionary<string, string> { ["env"] = env };
        var never = new HashSet<string>(["policy-webhook"], StringComparer.Ordinal);

        Assert.Equal(matches, (env is null ? rule : selective).Matches(ns, labels, never));
    }
}
