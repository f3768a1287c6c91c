using k8s;
using k8s.Models;
using PolicyWebhook.Engine;

namespace PolicyWebhook.Policies.Tests;

/// <summary>The parameters of the least-privilege rules: validated field by field and compiled into their checks.</summary>
public sealed class RuleParametersTests
{
    private const string Head = "apiVersion: policywebhook.io/v1alpha1\nkind: ClusterPolicy\nmetadata:\n  name: test\nspec:\n";

    private static CompiledPolicy Compile(string spec) => Assert.Single(PolicyLoader.LoadText(Head + spec, "test.yaml")).Compiled;

    private static IReadOnlyList<string> Problems(string spec) =>
        Assert.Throws<PolicyLoadException>(() => PolicyLoader.LoadText(Head + spec, "test.yaml")).Problems;

    private static IReadOnlyList<string> Messages(CompiledPolicy policy, string image)
    {
        var pod = (IKubernetesObject<V1ObjectMeta>)KubernetesYaml.LoadAllFromString(
            $"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - {{name: app, image: \"{image}\"}}\n", null).Single();
        return [.. new PolicyEvaluator([policy]).Evaluate(pod)!.Violations.Select(v => v.Message)];
    }

    [Fact]
    public void Compile_RepositoriesWithoutRegistries_JudgeOnlyRepositories()
    {
        var policy = Compile("  rules:\n    images:\n      allowedRepositories: [docker.io/library/*, ghcr.io/acme/*]\n      deniedRepositories: [ubuntu]\n");

        Assert.Empty(Messages(policy, "nginx:1.27"));
        Assert.Empty(Messages(policy, "ghcr.io/acme/api:1"));
        Assert.Equal(["container \"app\" image \"docker.io/library/ubuntu:24.04\" matches the denied repository \"docker.io/library/ubuntu\""], Messages(policy, "ubuntu:24.04"));
        Assert.Single(Messages(policy, "quay.io/acme/api:1"));
    }

    [Fact]
    public void Compile_RegistriesAlone_StillJudgeAsBefore()
    {
        var policy = Compile("  rules:\n    images:\n      allowedRegistries: [ghcr.io]\n");

        Assert.Empty(Messages(policy, "ghcr.io/anyone/api:1"));
        Assert.Equal(["container \"app\" image \"nginx:1.27\" must come from an allowed registry, not \"docker.io\""], Messages(policy, "nginx:1.27"));
    }

    [Fact]
    public void Load_BadRepositoryPatterns_NameEachField() =>
        Assert.Equal(
            [
                "test.yaml:8: spec.rules.images.allowedRepositories[0]: \"acme/*\" is a glob without a registry host; write it in full, such as docker.io/library/* or ghcr.io/acme/*",
                "test.yaml:9: spec.rules.images.deniedRepositories[0]: \"\" is not a repository pattern (such as ghcr.io/acme/* or nginx:1.27)",
            ],
            Problems("  rules:\n    images:\n      allowedRepositories: [acme/*]\n      deniedRepositories: [\"\"]\n"));

    [Fact]
    public void Load_NoImageParameter_AsksForOne() =>
        Assert.Equal(
            ["test.yaml:7: spec.rules.images.allowedRegistries: list at least one registry host, such as ghcr.io (or set allowedRepositories or deniedRepositories)"],
            Problems("  rules:\n    images: {}\n"));

    [Fact]
    public void Compile_AutomountAndProbes_RunWithTheirModes()
    {
        var policy = Compile("  rules:\n    automountServiceAccountToken: {}\n    probes: {mode: Warn, require: [startupProbe]}\n");

        Assert.Equal(
            [("automountServiceAccountToken", PolicyMode.Enforce), ("probes", PolicyMode.Warn)],
            policy.Plan.Select(c => (c.Id, c.Mode)));
        Assert.Equal(
            [
                "pod must set automountServiceAccountToken=false, not unset (a projected serviceAccountToken volume asks for a token)",
                "container \"app\" must set startupProbe: it runs until stopped",
            ],
            Messages(policy, "registry.example.com/app:1.0"));
    }

    [Fact]
    public void Load_BadProbe_NamesTheField() =>
        Assert.Equal(
            ["test.yaml:8: spec.rules.probes.require[0]: \"healthProbe\" is not a probe (use livenessProbe, readinessProbe, startupProbe)"],
            Problems("  rules:\n    probes:\n      require: [healthProbe]\n"));
}
