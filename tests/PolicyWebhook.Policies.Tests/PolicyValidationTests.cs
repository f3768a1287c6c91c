namespace PolicyWebhook.Policies.Tests;

/// <summary>Every mistake in a policy is reported with the field it is in, the line, and what to write instead.</summary>
public sealed class PolicyValidationTests
{
    private static IReadOnlyList<string> Problems(string spec, string kind = "ClusterPolicy")
    {
        var yaml = $"apiVersion: policywebhook.io/v1alpha1\nkind: {kind}\nmetadata:\n  name: test\nspec:\n{spec}";
        var error = Assert.Throws<PolicyLoadException>(() => PolicyLoader.LoadText(yaml, "test.yaml"));
        return error.Problems;
    }

    [Fact]
    public void Load_EmptyRegistryHost_NamesTheListEntry()
    {
        var problems = Problems("  rules:\n    images:\n      allowedRegistries:\n      - ghcr.io\n      - registry.example.com:5000\n      - \"\"\n");
        Assert.Equal(["test.yaml:11: spec.rules.images.allowedRegistries[2]: \"\" is not a registry host"], problems);
    }

    [Fact]
    public void Load_RegistryWithScheme_SaysToWriteTheHostOnly() =>
        Assert.Equal(
            ["test.yaml:9: spec.rules.images.allowedRegistries[0]: \"https://ghcr.io\" is not a registry host (write the host only, such as ghcr.io)"],
            Problems("  rules:\n    images:\n      allowedRegistries:\n      - https://ghcr.io\n"));

    [Fact]
    public void Load_BadMutation_NamesEachField() =>
        Assert.Equal(
            [
                "test.yaml:7: spec.mutation.defaults[1]: \"runAsRoot\" is not a field mutation fills in (use runAsNonRoot, allowPrivilegeEscalation, capabilities, seccompProfile, readOnlyRootFilesystem)",
                "test.yaml:9: spec.mutation.resources.requests[memory]: \"lots\" is not a quantity (such as 500m, 2 or 4Gi)",
                "test.yaml:9: spec.mutation.resources.requests[cpu]: \"2\" is above the default limit \"1\"; a pod given both would be invalid",
            ],
            Problems("  mutation:\n    defaults: [runAsNonRoot, runAsRoot]\n    resources:\n      requests: {cpu: \"2\", memory: lots}\n      limits: {cpu: \"1\"}\n"));

    [Fact]
    public void Load_EmptyMutation_SaysItFillsInNothing() =>
        Assert.Equal(
            ["test.yaml:6: spec.mutation: fills in nothing: list defaults (runAsNonRoot, allowPrivilegeEscalation, capabilities, seccompProfile, readOnlyRootFilesystem) or resources"],
            Problems("  mutation: {}\n"));

    [Fact]
    public void Load_MutationOnly_CompilesItsDefaults()
    {
        var yaml = "apiVersion: policywebhook.io/v1alpha1\nkind: ClusterPolicy\nmetadata:\n  name: m\nspec:\n  mutation:\n    defaults: [seccompProfile]\n    resources:\n      limits: {memory: 256Mi}\n";
        var mutation = PolicyLoader.LoadText(yaml, "m.yaml").Single().Compiled.Mutation;
        Assert.NotNull(mutation);
        Assert.True(mutation.SeccompProfile);
        Assert.False(mutation.RunAsNonRoot);
        Assert.Equal("256Mi", mutation.Limits["memory"]);
    }

    [Fact]
    public void Validate_WrongApiVersionAndName_AreNamedForPoliciesAndExceptionsAlike()
    {
        var policy = new Resources.ClusterPolicy
        {
            ApiVersion = "policywebhook.io/v1",
            Metadata = new k8s.Models.V1ObjectMeta { Name = "Bad_Name" },
            Spec = new Resources.PolicySpec { PodSecurity = new Resources.PodSecuritySpec { Level = "baseline" } },
        };
        var exception = new Resources.PolicyException { ApiVersion = "v1", Metadata = new k8s.Models.V1ObjectMeta() };

        Assert.Equal(
            ["apiVersion: \"policywebhook.io/v1\" is not policywebhook.io/v1alpha1", "metadata.name: \"Bad_Name\" is not a valid name (lower-case letters, digits, '-' and '.')"],
            Validation.PolicyValidator.Describe(new Validation.PolicyValidator().Validate(policy)));
        Assert.Equal(
            ["apiVersion: \"v1\" is not policywebhook.io/v1alpha1", "metadata.name: an exception needs a name"],
            Validation.PolicyValidator.Describe(new Validation.PolicyExceptionValidator().Validate(exception)).Take(2));
    }

    [Fact]
    public void Load_SeveralMistakes_ReportsEveryOneAtOnce()
    {
        var problems = Problems(
            "  mode: Enforced\n  podSecurity:\n    level: strict\n    version: \"1.25\"\n  rules:\n    resources:\n      require: [cpu]\n      maximums:\n        limits.cpu: two\n"
            + "  match:\n    kinds: [Deploy]\n  exclude:\n    checks: [runAsRoot]\n");
        Assert.Equal(
            [
                "test.yaml:6: spec.mode: \"Enforced\" is not a mode (use Enforce, Warn or Audit)",
                "test.yaml:8: spec.podSecurity.level: \"strict\" is not a level (use privileged, baseline or restricted)",
                "test.yaml:9: spec.podSecurity.version: \"1.25\" is not a version (use latest or v1.N, such as v1.35)",
                "test.yaml:12: spec.rules.resources.require[0]: \"cpu\" is not a resource entry (use requests.NAME or limits.NAME, such as limits.memory)",
                "test.yaml:14: spec.rules.resources.maximums[limits.cpu]: \"two\" is not a quantity (such as 500m, 2 or 4Gi)",
                "test.yaml:16: spec.match.kinds[0]: \"Deploy\" is not a kind that carries a pod spec (use Pod, Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob, ReplicationController, PodTemplate)",
                "test.yaml:18: spec.exclude.checks[0]: \"runAsRoot\" is not a check id (run 'policywebhook checks list')",
            ],
            problems);
    }

    [Fact]
    public void Load_BadRuleMode_NamesTheRule() =>
        Assert.Equal(
            [
                "test.yaml:8: spec.rules.inlineSecrets.mode: \"warn\" is not a mode (use Enforce, Warn or Audit)",
                "test.yaml:10: spec.rules.images.mode: \"Deny\" is not a mode (use Enforce, Warn or Audit)",
            ],
            Problems("  rules:\n    inlineSecrets:\n      mode: warn\n    images:\n      mode: Deny\n      allowedRegistries: [ghcr.io]\n"));

    [Fact]
    public void Load_PolicyThatTurnsNothingOn_IsRefused() =>
        Assert.Equal(["test.yaml:5: spec: turns nothing on: set podSecurity, at least one rule under rules, mutation or namespaceIsolation"], Problems("  mode: Warn\n"));

    [Fact]
    public void Load_UnknownField_NamesItAndItsLine() =>
        Assert.Equal(
            ["test.yaml:7: spec.rules.readOnlyRootFs: unknown field (check its spelling against the policy reference)"],
            Problems("  rules:\n    readOnlyRootFs: {}\n"));

    [Fact]
    public void Load_WrongType_NamesTheField()
    {
        var problem = Assert.Single(Problems("  rules:\n    imageTags:\n      requireDigest: [yes]\n"));
        Assert.StartsWith("test.yaml:8: spec.rules.imageTags.requireDigest: wrong type:", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_BadSelectorOperator_NamesTheExpression() =>
        Assert.Equal(
            [
                "test.yaml:12: spec.match.namespaceSelector.matchExpressions[0].operator: \"Is\" is not an operator (use In, NotIn, Exists or DoesNotExist)",
            ],
            Problems("  podSecurity:\n    level: baseline\n  match:\n    namespaceSelector:\n      matchExpressions:\n      - key: team\n        operator: Is\n        values: [a]\n"));

    [Fact]
    public void Load_InvalidYaml_NamesTheLine()
    {
        var problem = Assert.Single(Problems("  podSecurity:\n    level: [baseline\n"));
        Assert.StartsWith("test.yaml:", problem, StringComparison.Ordinal);
        Assert.Contains("is not valid YAML", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SameNameTwice_IsRefused()
    {
        const string policy = "apiVersion: policywebhook.io/v1alpha1\nkind: ClusterPolicy\nmetadata:\n  name: twice\nspec:\n  podSecurity:\n    level: baseline\n";
        var error = Assert.Throws<PolicyLoadException>(() => PolicyLoader.LoadText(policy + "---\n" + policy, "p.yaml"));
        Assert.Equal(["p.yaml:9: metadata.name: ClusterPolicy \"twice\" is defined twice"], error.Problems);
    }

    [Fact]
    public void Load_NotAPolicy_SaysWhatItWants()
    {
        var error = Assert.Throws<PolicyLoadException>(() => PolicyLoader.LoadText("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n", "cm.yaml"));
        Assert.Equal(["cm.yaml:1: v1/ConfigMap is not a policy (want apiVersion policywebhook.io/v1alpha1, kind ClusterPolicy, Policy or PolicyException)"], error.Problems);
    }

    [Fact]
    public void Load_AliasBomb_IsRefusedNotExpanded()
    {
        var bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
        var previous = "a";
        for (var i = 0; i < 8; i++)
        {
            var name = "l" + i;
            bomb += $"{name}: &{name} [*{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}]\n";
            previous = name;
        }

        var error = Assert.Throws<PolicyLoadException>(() => PolicyLoader.LoadText(bomb, "bomb.yaml"));
        Assert.Contains("expands to more than", Assert.Single(error.Problems), StringComparison.Ordinal);
    }
}
