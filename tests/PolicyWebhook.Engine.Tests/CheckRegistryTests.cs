using PolicyWebhook.Engine.Checks;
using PolicyWebhook.Engine.Evaluation;

namespace PolicyWebhook.Engine.Tests;

public sealed class CheckRegistryTests
{
    private static readonly CheckRegistry Registry = CheckRegistry.Default;

    [Fact]
    public void Default_HasEveryPodSecurityStandardsCheck()
    {
        string[] expected =
        [
            "allowPrivilegeEscalation", "appArmorProfile", "capabilities_baseline", "capabilities_restricted", "hostNamespaces",
            "hostPathVolumes", "hostPorts", "hostProbesAndHostLifecycle", "privileged", "procMount", "procMount_restricted",
            "restrictedVolumes", "runAsNonRoot", "runAsUser", "seLinuxOptions", "seccompProfile_baseline",
            "seccompProfile_restricted", "sysctls", "windowsHostProcess",
        ];
        Assert.Equal(expected, Registry.All.OfType<PssCheck>().Select(c => c.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Default_HasTheLeastPrivilegeChecks() =>
        Assert.Equal(
            ["automountServiceAccountToken", "imageRegistries", "imageTags", "imageVerification", "inlineSecrets", "probes", "readOnlyRootFilesystem", "resources", "runtimeSockets"],
            Registry.All.Where(c => c.Level == CheckLevel.LeastPrivilege).Select(c => c.Id).Order(StringComparer.Ordinal));

    [Fact]
    public void TableFor_RestrictedLatest_ReplacesOverriddenBaselineChecks()
    {
        var ids = Registry.TableFor(PssLevel.Restricted, PssVersion.Latest).Select(e => e.Id).ToList();

        Assert.Contains("capabilities_restricted", ids);
        Assert.DoesNotContain("capabilities_baseline", ids);
        Assert.DoesNotContain("seccompProfile_baseline", ids);
        Assert.DoesNotContain("hostPathVolumes", ids);
        Assert.DoesNotContain("procMount", ids);
        Assert.Contains("privileged", ids);
    }

    [Fact]
    public void TableFor_OlderVersions_LeaveOutChecksNotYetDefined()
    {
        var v1Dot18 = Registry.TableFor(PssLevel.Restricted, PssVersion.Parse("v1.18")).Select(e => e.Id).ToList();
        var v1Dot33 = Registry.TableFor(PssLevel.Baseline, PssVersion.Parse("v1.33")).Select(e => e.Id).ToList();

        Assert.DoesNotContain("seccompProfile_restricted", v1Dot18);
        Assert.Contains("seccompProfile_baseline", v1Dot18);
        Assert.DoesNotContain("hostProbesAndHostLifecycle", v1Dot33);
        Assert.Empty(Registry.TableFor(PssLevel.Privileged, PssVersion.Latest));
    }

    [Theory]
    [InlineData(PssLevel.Baseline)]
    [InlineData(PssLevel.Restricted)]
    public void TableFor_V1Dot36AndLatest_RunTheV1Dot35Table(PssLevel level)
    {
        // Upstream's 1.36 release added no check version: v1.36 and latest judge as v1.35 does.
        var v1Dot35 = Registry.TableFor(level, PssVersion.Parse("v1.35"));

        Assert.Equal(v1Dot35, Registry.TableFor(level, PssVersion.Parse("v1.36")));
        Assert.Equal(v1Dot35, Registry.TableFor(level, PssVersion.Latest));
    }

    [Fact]
    public void Constructor_DuplicateIds_Throws()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new CheckRegistry([new PrivilegedCheck(), new PrivilegedCheck()]));
        Assert.Contains("id \"privileged\" is used by another check", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_VersionsOutOfOrder_Throws()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new CheckRegistry([new UnorderedCheck()]));
        Assert.Contains("version v1.3 does not come after v1.5", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_OverrideOfUnknownCheck_Throws()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new CheckRegistry([new CapabilitiesRestrictedCheck()]));
        Assert.Contains("capabilities_baseline", error.Message, StringComparison.Ordinal);
    }

    private sealed class UnorderedCheck : PssCheck
    {
        public override string Id => "unordered";

        public override CheckLevel Level => CheckLevel.Baseline;

        public override string Title => "test";

        public override IReadOnlyList<CheckVersion> Versions { get; } = [Since(5, Nothing), Since(3, Nothing)];

        private static void Nothing(PodView pod, Findings findings)
        {
        }
    }
}
