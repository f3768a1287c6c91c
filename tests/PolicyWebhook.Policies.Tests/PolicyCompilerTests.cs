using PolicyWebhook.Engine;

namespace PolicyWebhook.Policies.Tests;

public sealed class PolicyCompilerTests
{
    private static CompiledPolicy Compile(string yaml) => Assert.Single(PolicyLoader.LoadText(yaml, "test.yaml")).Compiled;

    [Fact]
    public void Compile_RuleMode_OverridesPolicyMode()
    {
        var policy = Compile("""
            apiVersion: policywebhook.io/v1alpha1
            kind: ClusterPolicy
            metadata: {name: rollout}
            spec:
              mode: Enforce
              podSecurity: {level: restricted, version: v1.29, mode: Warn}
              rules:
                readOnlyRootFilesystem: {mode: Audit}
                imageTags: {}
            """);

        Assert.Equal(new PodSecuritySettings(PssLevel.Restricted, PssVersion.Parse("v1.29"), PolicyMode.Warn), policy.PodSecurity);
        Assert.Equal(PolicyMode.Audit, policy.Plan.Single(c => c.Id == "readOnlyRootFilesystem").Mode);
        Assert.Equal(PolicyMode.Enforce, policy.Plan.Single(c => c.Id == "imageTags").Mode);
        Assert.All(policy.Plan.Where(c => c.Id == "runAsNonRoot"), c => Assert.Equal(PolicyMode.Warn, c.Mode));
    }

    [Theory]
    [InlineData("v1.35")]
    [InlineData("v1.36")]
    [InlineData("latest")]
    public void Compile_NewestVersions_AreAcceptedAsWritten(string version)
    {
        var policy = Compile($$"""
            apiVersion: policywebhook.io/v1alpha1
            kind: ClusterPolicy
            metadata: {name: newest}
            spec:
              podSecurity: {level: restricted, version: {{version}}}
            """);

        Assert.Equal(PssVersion.Parse(version), policy.PodSecurity!.Version);
    }

    [Fact]
    public void Compile_ExcludedChecks_AreLeftOutOfThePlan()
    {
        var policy = Compile("""
            apiVersion: policywebhook.io/v1alpha1
            kind: ClusterPolicy
            metadata: {name: x}
            spec:
              podSecurity: {level: restricted}
              exclude: {checks: [runAsNonRoot, seccompProfile_restricted]}
            """);

        Assert.DoesNotContain(policy.Plan, c => c.Id is "runAsNonRoot" or "seccompProfile_restricted");
        Assert.Contains(policy.Plan, c => c.Id == "privileged");
    }

    [Fact]
    public void Compile_NamespacedPolicy_IsBoundToItsNamespace()
    {
        var policy = Compile("""
            apiVersion: policywebhook.io/v1alpha1
            kind: Policy
            metadata: {name: team, namespace: shop}
            spec:
              rules: {readOnlyRootFilesystem: {}}
            """);

        Assert.Equal(new PolicyReference("Policy", "team", "shop"), policy.Reference);
    }

    [Fact]
    public void BuiltInDefault_IsRestrictedLatestPlusTheLeastPrivilegeRules()
    {
        var policy = Assert.Single(BuiltInPolicies.Default).Compiled;

        Assert.Equal(new PolicyReference("ClusterPolicy", "default"), policy.Reference);
        Assert.Equal(new PodSecuritySettings(PssLevel.Restricted, PssVersion.Latest, PolicyMode.Enforce), policy.PodSecurity);
        Assert.Equal(
            ["imageTags", "inlineSecrets", "readOnlyRootFilesystem", "resources", "runtimeSockets"],
            policy.Checks.Select(c => c.Id).Order(StringComparer.Ordinal));
    }
}
