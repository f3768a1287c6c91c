using PolicyWebhook.Engine.Checks;

namespace PolicyWebhook.Engine.Tests.Checks;

public sealed class SysctlsCheckTests : CheckTestBase
{
    private static readonly PodCheck Parameters = SysctlsCheck.With(new SysctlsOptions(["kernel.*", "net.ipv4.*"], ["kernel.shm_rmid_forced"]), PssVersion.Latest);

    protected override string CheckId => "sysctls";

    [Fact]
    public void Evaluate_Unsafe_NamesFieldAndFix() =>
        AssertViolations(
            "fail/unsafe.yaml",
            ("spec.securityContext.sysctls[0].name", "pod must not set sysctl \"kernel.msgmax\""));

    [Fact]
    public void With_AllowedAndForbidden_GiveTheirFixturesVerdicts() => AssertParameterFixtures("parameters", Parameters);

    [Fact]
    public void With_Forbidden_WinsOverAllowedWildcard() =>
        AssertViolationsWith(
            Parameters,
            "parameters/fail/forbidden-under-wildcard.yaml",
            ("spec.securityContext.sysctls[0].name", "pod must not set sysctl \"kernel.shm_rmid_forced\" (forbidden by \"kernel.shm_rmid_forced\")"));

    [Fact]
    public void With_EmptyAllowList_AllowsNone() =>
        AssertViolationsWith(
            SysctlsCheck.With(new SysctlsOptions([], null), PssVersion.Latest),
            "pass/safe.yaml",
            ("spec.securityContext.sysctls[0].name", "pod must not set sysctl \"net.ipv4.tcp_keepalive_time\" (allowed: none)"));

    [Fact]
    public void With_OnlyForbidden_KeepsTheVersionsSafeSet()
    {
        var check = SysctlsCheck.With(new SysctlsOptions(null, ["net.ipv4.tcp_syncookies"]), PssVersion.Parse("v1.29"));

        Assert.Empty(ViolationsWith(check, "pass/safe.yaml"));
        Assert.Single(ViolationsWith(check, "parameters/fail/not-allowed.yaml"));
        Assert.Equal(2, ViolationsWith(check, "parameters/pass/kernel-wildcard.yaml").Count);
        Assert.Single(ViolationsWith(SysctlsCheck.With(new SysctlsOptions(null, null), PssVersion.Parse("v1.28")), "pass/safe.yaml"));
    }

    [Theory]
    [InlineData("*", "kernel.msgmax", true)]
    [InlineData("kernel.*", "kernel.msgmax", true)]
    [InlineData("kernel.*", "kernelx.msgmax", false)]
    [InlineData("kernel.msgmax", "kernel.msgmax2", false)]
    public void Matches_Pattern_IsASuffixWildcard(string pattern, string name, bool expected) =>
        Assert.Equal(expected, SysctlsCheck.Matches(pattern, name));
}
