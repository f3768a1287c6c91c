using PolicyWebhook.Engine.Checks;

namespace PolicyWebhook.Engine.Tests.Checks;

public sealed class RunAsUserCheckTests : CheckTestBase
{
    private static readonly PodCheck Users = RunAsUserCheck.With(
        new UsersOptions(
            new IdRuleOptions(IdRule.MustRunAs, [new IdRange(1000, 2000)]),
            new IdRuleOptions(IdRule.MayRunAs, [new IdRange(1000, 2000)]),
            new IdRuleOptions(IdRule.MustRunAs, [new IdRange(3000, 3999)]),
            new IdRuleOptions(IdRule.MustRunAs, [new IdRange(3000, 3999)])),
        standard: null);

    private static readonly PodCheck NonRoot = RunAsUserCheck.With(new UsersOptions(new IdRuleOptions(IdRule.MustRunAsNonRoot, []), null, null, null), standard: null);

    protected override string CheckId => "runAsUser";

    [Fact]
    public void Evaluate_PodRoot_NamesFieldAndFix() =>
        AssertViolations(
            "fail/pod-root.yaml",
            ("spec.securityContext.runAsUser", "pod must not set securityContext.runAsUser=0"));

    [Fact]
    public void Evaluate_HostUsersRoot_StillNamesFieldAndFix() =>
        AssertViolations(
            "fail/host-users-root.yaml",
            ("spec.containers[0].securityContext.runAsUser", "container \"app\" must not set securityContext.runAsUser=0"));

    [Fact]
    public void Evaluate_UserNamespaceRootAtV1Dot34_NamesFieldAndFix() =>
        AssertViolationsAt(
            "fail/user-namespace-root-before-v1.35.yaml",
            "v1.34",
            ("spec.securityContext.runAsUser", "pod must not set securityContext.runAsUser=0"));

    [Fact]
    public void With_PspRules_GiveTheirFixturesVerdicts() => AssertParameterFixtures("users", Users);

    [Fact]
    public void With_MustRunAsAndNoUid_AsksTheContainer() =>
        AssertViolationsWith(
            Users,
            "users/fail/uid-unset.yaml",
            ("spec.containers[0].securityContext.runAsUser", "container \"app\" must set securityContext.runAsUser in 1000-2000 (the rule is MustRunAs)"));

    [Fact]
    public void With_GroupsOutside_NameEachIdAndTheRanges() =>
        AssertViolationsWith(
            Users,
            "users/fail/no-fs-group.yaml",
            ("spec.securityContext.supplementalGroups[1]", "pod sets supplementalGroups=10, outside the allowed ranges 3000-3999"),
            ("spec.securityContext.fsGroup", "pod must set securityContext.fsGroup in 3000-3999 (the rule is MustRunAs)"));

    [Fact]
    public void With_MustRunAsNonRoot_RefusesRootAndAsksForRunAsNonRoot()
    {
        AssertViolationsWith(
            NonRoot,
            "users/fail/container-root.yaml",
            ("spec.containers[0].securityContext.runAsUser", "container \"app\" must not set securityContext.runAsUser=0 (the rule is MustRunAsNonRoot)"));
        AssertViolationsWith(
            NonRoot,
            "users/fail/uid-unset.yaml",
            ("spec.containers[0].securityContext.runAsNonRoot", "container \"app\" must set runAsNonRoot=true or a non-zero runAsUser (the rule is MustRunAsNonRoot)"));
    }

    [Fact]
    public void With_NoRunAsUserRule_RunsTheStandard()
    {
        var standard = CheckRegistry.Default.Get<RunAsUserCheck>().Versions[^1].Evaluate;
        var check = RunAsUserCheck.With(new UsersOptions(null, null, null, new IdRuleOptions(IdRule.RunAsAny, [])), standard);

        Assert.Single(ViolationsWith(check, "users/fail/container-root.yaml"));
        Assert.Empty(ViolationsWith(RunAsUserCheck.With(new UsersOptions(new IdRuleOptions(IdRule.RunAsAny, []), null, null, null), standard), "users/fail/container-root.yaml"));
    }
}
