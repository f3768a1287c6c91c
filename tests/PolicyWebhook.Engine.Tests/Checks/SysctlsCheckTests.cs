namespace PolicyWebhook.Engine.Tests.Checks;

public sealed class SysctlsCheckTests : CheckTestBase
{
    protected override string CheckId => "sysctls";

    [Fact]
    public void Evaluate_Unsafe_NamesFieldAndFix() =>
        AssertViolations(
            "fail/unsafe.yaml",
            ("spec.securityContext.sysctls[0].name", "pod must not set sysctl \"kernel.msgmax\""));
}
