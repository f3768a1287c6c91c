using PolicyWebhook.Engine.Checks;

namespace PolicyWebhook.Engine.Tests.Conformance;

/// <summary>
/// Every parameterised check, given the standard's own values, gives the verdict Pod Security Admission gives on
/// every upstream fixture: a site's parameters change only what they name.
/// </summary>
public sealed class ParameterDefaultsConformanceTests
{
    private static readonly string Folder = RepoPaths.Of("tests", "PolicyWebhook.Engine.Tests", "Conformance", "pss");

    public static TheoryData<string, string, string, string> Fixtures() => PodSecurityConformanceTests.Fixtures();

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Evaluate_StandardValuesAsParameters_AgreeWithPodSecurityAdmission(string path, string level, string version, string expect)
    {
        var pssLevel = level == "baseline" ? PssLevel.Baseline : PssLevel.Restricted;
        var pssVersion = PssVersion.Parse(version);
        var table = CheckRegistry.Default.TableFor(pssLevel, pssVersion).Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
        var parameters = new Dictionary<string, PodCheck>(StringComparer.Ordinal)
        {
            ["hostPorts"] = HostPortsCheck.With(new HostPortsOptions([])),
            ["hostNamespaces"] = HostNamespacesCheck.With(new HostNamespacesOptions(AllowHostNetwork: false)),
            ["hostPathVolumes"] = HostPathVolumesCheck.With(new HostPathVolumesOptions([])),
            ["sysctls"] = SysctlsCheck.With(new SysctlsOptions(null, null), pssVersion),
        };
        if (table.Contains("capabilities_restricted"))
        {
            parameters["capabilities_restricted"] = CapabilitiesRestrictedCheck.With(new CapabilitiesOptions(null, null), exemptWindows: pssVersion.EffectiveMinor >= 25);
        }
        else
        {
            parameters["capabilities_baseline"] = CapabilitiesBaselineCheck.With(new CapabilitiesOptions(null, null));
        }

        if (table.Contains("restrictedVolumes"))
        {
            parameters["restrictedVolumes"] = RestrictedVolumesCheck.With(new VolumesOptions(null, null));
        }

        // Where the standard's rule cannot be said as a parameter (annotations before v1.19, user namespaces from
        // v1.35), the parameterised check is left out of the comparison.
        if (table.Contains("seccompProfile_restricted"))
        {
            parameters["seccompProfile_restricted"] = SeccompProfileBaselineCheck.With(
                new AllowedProfiles(["RuntimeDefault", "Localhost"]), requireSet: true, exemptWindows: pssVersion.EffectiveMinor >= 25);
        }
        else if (table.Contains("seccompProfile_baseline") && pssVersion.EffectiveMinor >= 19)
        {
            parameters["seccompProfile_baseline"] = SeccompProfileBaselineCheck.With(new AllowedProfiles(["RuntimeDefault", "Localhost"]), requireSet: false);
        }

        parameters["appArmorProfile"] = AppArmorProfileCheck.With(new AllowedProfiles(["RuntimeDefault", "Localhost"]));
        if (table.Contains("procMount_restricted") || pssVersion.EffectiveMinor < 35)
        {
            parameters[table.Contains("procMount_restricted") ? "procMount_restricted" : "procMount"] = ProcMountCheck.With(["Default"]);
        }

        var policy = new CompiledPolicy(
            TestPolicies.Reference,
            new PodSecuritySettings(pssLevel, pssVersion, PolicyMode.Enforce, parameters),
            [],
            PolicyMatch.All,
            PolicyExclusions.None);

        var result = new PolicyEvaluator([policy]).Evaluate(TestPolicies.ReadObject(Path.Combine(Folder, path)))!;

        Assert.True(
            result.Allowed == (expect == "pass"),
            $"{path}: expected {expect}, got {(result.Allowed ? "allowed" : "denied: " + VerdictText.Summary(result))}");
    }
}
