using k8s;
using k8s.Models;
using PolicyWebhook.Engine;

namespace PolicyWebhook.Policies.Tests;

/// <summary>spec.podSecurity.parameters: validated field by field, compiled in place of the standard's checks, and absent changing nothing.</summary>
public sealed class PodSecurityParametersTests
{
    private const string Head = "apiVersion: policywebhook.io/v1alpha1\nkind: ClusterPolicy\nmetadata:\n  name: test\nspec:\n";

    private static CompiledPolicy Compile(string spec) => Assert.Single(PolicyLoader.LoadText(Head + spec, "test.yaml")).Compiled;

    private static IReadOnlyList<string> Problems(string spec) =>
        Assert.Throws<PolicyLoadException>(() => PolicyLoader.LoadText(Head + spec, "test.yaml")).Problems;

    private static IReadOnlyList<Violation> Violations(CompiledPolicy policy, string podSpec)
    {
        var pod = (IKubernetesObject<V1ObjectMeta>)KubernetesYaml.LoadAllFromString($"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n{podSpec}", null).Single();
        return new PolicyEvaluator([policy]).Evaluate(pod)!.Violations;
    }

    private const string Baseline = "  podSecurity:\n    level: baseline\n";

    [Fact]
    public void Compile_NoParameters_LeavesTheStandardAsItIs()
    {
        var policy = Compile(Baseline);

        Assert.Null(policy.PodSecurity!.Parameters);
        Assert.Contains(Violations(policy, "  containers:\n  - {name: app, image: a, ports: [{containerPort: 80, hostPort: 8080}]}\n"), v => v.Check == "hostPorts");
    }

    [Fact]
    public void Compile_HostPortRanges_AllowPortsInsideAndRefuseOthers()
    {
        var policy = Compile(Baseline + "    parameters:\n      hostPorts:\n        allowed: [{min: 8000, max: 9000}]\n");

        Assert.Empty(Violations(policy, "  containers:\n  - {name: app, image: a, ports: [{containerPort: 80, hostPort: 8080}]}\n"));
        var violation = Assert.Single(Violations(policy, "  containers:\n  - {name: app, image: a, ports: [{containerPort: 80, hostPort: 80}]}\n"));
        Assert.Equal("container \"app\" sets hostPort=80, outside the allowed ranges 8000-9000", violation.Message);
    }

    [Fact]
    public void Compile_HostNetworkAllowed_StillRefusesHostPid()
    {
        var policy = Compile(Baseline + "    parameters:\n      hostNamespaces: {allowHostNetwork: true}\n");

        Assert.Empty(Violations(policy, "  hostNetwork: true\n  containers:\n  - {name: app, image: a}\n"));
        Assert.Equal("spec.hostPID", Assert.Single(Violations(policy, "  hostPID: true\n  containers:\n  - {name: app, image: a}\n")).Path);
    }

    [Fact]
    public void Load_BadHostPortRanges_NameEachField() =>
        Assert.Equal(
            [
                "test.yaml:10: spec.podSecurity.parameters.hostPorts.allowed[0].min: 0 is not a host port (1 to 65535)",
                "test.yaml:10: spec.podSecurity.parameters.hostPorts.allowed[1].max: 70000 is not a host port (1 to 65535)",
                "test.yaml:10: spec.podSecurity.parameters.hostPorts.allowed[2].max: 80 is below min 90",
            ],
            Problems(Baseline + "    parameters:\n      hostPorts:\n        allowed: [{min: 0, max: 10}, {min: 1, max: 70000}, {min: 90, max: 80}]\n"));

    [Fact]
    public void Compile_ParametersAtPrivileged_RunOnlyThoseChecks()
    {
        var policy = Compile("  podSecurity:\n    level: privileged\n    parameters:\n      hostNamespaces: {allowHostNetwork: true}\n");

        Assert.Equal(["hostNamespaces"], policy.Plan.Select(c => c.Id));
        Assert.Empty(Violations(policy, "  hostNetwork: true\n  containers:\n  - {name: app, image: a, securityContext: {privileged: true}}\n"));
    }

    [Fact]
    public void Compile_VolumesAtBaseline_AddTheVolumeCheck()
    {
        var policy = Compile(Baseline + "    parameters:\n      volumes: {allowedTypes: [configMap, secret]}\n");

        Assert.Contains("restrictedVolumes", policy.Plan.Select(c => c.Id));
        Assert.Equal(
            "volume \"tmp\" must not use volume type emptyDir (allowed: configMap, secret)",
            Assert.Single(Violations(policy, "  containers:\n  - {name: app, image: a}\n  volumes: [{name: tmp, emptyDir: {}}]\n")).Message);
    }

    [Fact]
    public void Load_BadVolumes_NameEachField() =>
        Assert.Equal(
            [
                "test.yaml:9: spec.podSecurity.parameters.volumes.allowedTypes[0]: \"hostpath\" is not a volume type (use * or one of " + string.Join(", ", Engine.Checks.RestrictedVolumesCheck.TypeNames) + ")",
                "test.yaml:9: spec.podSecurity.parameters.volumes.allowedFlexVolumeDrivers: list at least one driver, or leave allowedFlexVolumeDrivers out to allow any",
            ],
            Problems(Baseline + "    parameters:\n      volumes: {allowedTypes: [hostpath], allowedFlexVolumeDrivers: []}\n"));

    [Fact]
    public void Compile_HostPathPrefix_ReadOnlyAllowsOnlyReadOnlyMounts()
    {
        var policy = Compile(Baseline + "    parameters:\n      hostPathVolumes:\n        allowed: [{pathPrefix: /var/log, readOnly: true}]\n");
        const string Volume = "  volumes: [{name: logs, hostPath: {path: /var/log/app}}]\n";

        Assert.Empty(Violations(policy, "  containers:\n  - {name: app, image: a, volumeMounts: [{name: logs, mountPath: /l, readOnly: true}]}\n" + Volume));
        Assert.Equal(
            "spec.containers[0].volumeMounts[0].readOnly",
            Assert.Single(Violations(policy, "  containers:\n  - {name: app, image: a, volumeMounts: [{name: logs, mountPath: /l}]}\n" + Volume)).Path);
    }

    [Fact]
    public void Load_RelativeHostPathPrefix_NamesTheField() =>
        Assert.Equal(
            ["test.yaml:10: spec.podSecurity.parameters.hostPathVolumes.allowed[0].pathPrefix: \"var/log\" is not an absolute path (such as /var/log)"],
            Problems(Baseline + "    parameters:\n      hostPathVolumes:\n        allowed: [{pathPrefix: var/log}]\n"));

    [Fact]
    public void Compile_CapabilitiesAtRestricted_ReplaceTheRestrictedRule()
    {
        var policy = Compile("  podSecurity:\n    level: restricted\n    parameters:\n      capabilities: {allowed: [NET_ADMIN]}\n");
        const string Container = "  containers:\n  - {name: app, image: a, securityContext: {capabilities: {add: [ADD], drop: [ALL]}}}\n";

        Assert.DoesNotContain(Violations(policy, Container.Replace("ADD", "NET_ADMIN", StringComparison.Ordinal)), v => v.Check == "capabilities_restricted");
        Assert.Contains(Violations(policy, Container.Replace("ADD", "cap_net_admin", StringComparison.Ordinal)), v => v.Check == "capabilities_restricted");
        Assert.Contains(Violations(policy, Container.Replace("ADD", "NET_BIND_SERVICE", StringComparison.Ordinal)), v => v.Check == "capabilities_restricted");
    }

    [Fact]
    public void Compile_RequiredDropAtBaseline_RequiresTheDrop()
    {
        var policy = Compile(Baseline + "    parameters:\n      capabilities: {requiredDrop: [ALL]}\n");

        var violation = Assert.Single(Violations(policy, "  containers:\n  - {name: app, image: a, securityContext: {capabilities: {add: [CHOWN]}}}\n"));
        Assert.Equal(("capabilities_baseline", "container \"app\" must drop capability \"ALL\""), (violation.Check, violation.Message));
    }

    [Fact]
    public void Load_BadCapabilities_NameEachField() =>
        Assert.Equal(
            [
                "test.yaml:9: spec.podSecurity.parameters.capabilities.allowed[0]: \"NET ADMIN\" is not a capability (such as NET_ADMIN, or * for any)",
                "test.yaml:9: spec.podSecurity.parameters.capabilities.requiredDrop[0]: \"*\" is not a capability (such as NET_RAW, or ALL)",
            ],
            Problems(Baseline + "    parameters:\n      capabilities: {allowed: [NET ADMIN], requiredDrop: ['*']}\n"));

    [Fact]
    public void Compile_Sysctls_AllowWildcardAndForbidWins()
    {
        var policy = Compile(Baseline + "    parameters:\n      sysctls: {allowed: [kernel.*], forbidden: [kernel.shm_rmid_forced]}\n");
        const string Pod = "  securityContext: {sysctls: [{name: NAME, value: \"1\"}]}\n  containers:\n  - {name: app, image: a}\n";

        Assert.Empty(Violations(policy, Pod.Replace("NAME", "kernel.msgmax", StringComparison.Ordinal)));
        Assert.Single(Violations(policy, Pod.Replace("NAME", "kernel.shm_rmid_forced", StringComparison.Ordinal)));
        Assert.Single(Violations(policy, Pod.Replace("NAME", "net.ipv4.tcp_syncookies", StringComparison.Ordinal)));
    }

    [Fact]
    public void Load_BadSysctlPattern_NamesTheField() =>
        Assert.Equal(
            ["test.yaml:9: spec.podSecurity.parameters.sysctls.forbidden[0]: \"kernel.*.x\" is not a sysctl name or pattern (such as kernel.msgmax, kernel.* or *)"],
            Problems(Baseline + "    parameters:\n      sysctls: {forbidden: [kernel.*.x]}\n"));

    [Fact]
    public void Compile_UsersAtBaseline_JudgeIdRanges()
    {
        var policy = Compile(Baseline + "    parameters:\n      users:\n        runAsUser: {rule: MustRunAs, ranges: [{min: 1000, max: 2000}]}\n        fsGroup: {rule: MayRunAs, ranges: [{min: 3000, max: 3000}]}\n");

        Assert.Empty(Violations(policy, "  securityContext: {runAsUser: 1000, fsGroup: 3000}\n  containers:\n  - {name: app, image: a}\n"));
        Assert.Equal(
            ["spec.containers[0].securityContext.runAsUser", "spec.securityContext.fsGroup"],
            Violations(policy, "  securityContext: {fsGroup: 4000}\n  containers:\n  - {name: app, image: a}\n").Select(v => v.Path));
    }

    [Fact]
    public void Compile_UsersWithoutRunAsUserRule_KeepTheRestrictedRule()
    {
        var policy = Compile("  podSecurity:\n    level: restricted\n    parameters:\n      users:\n        fsGroup: {rule: MustRunAs, ranges: [{min: 1, max: 65535}]}\n");

        Assert.Contains(
            Violations(policy, "  securityContext: {runAsUser: 0, fsGroup: 10}\n  containers:\n  - {name: app, image: a}\n"),
            v => v.Check == "runAsUser" && v.Message == "pod must not set securityContext.runAsUser=0");
    }

    [Fact]
    public void Load_BadUserRules_NameEachField() =>
        Assert.Equal(
            [
                "test.yaml:10: spec.podSecurity.parameters.users.runAsUser.rule: \"MayRunAs\" is not a rule here (use MustRunAs, MustRunAsNonRoot, RunAsAny)",
                "test.yaml:11: spec.podSecurity.parameters.users.runAsGroup.ranges: MustRunAs needs at least one range, such as {min: 1000, max: 65535}",
                "test.yaml:12: spec.podSecurity.parameters.users.fsGroup.ranges[0].max: 5 is below min 10",
            ],
            Problems(Baseline + "    parameters:\n      users:\n        runAsUser: {rule: MayRunAs, ranges: [{min: 1, max: 2}]}\n        runAsGroup: {rule: MustRunAs}\n        fsGroup: {rule: MayRunAs, ranges: [{min: 10, max: 5}]}\n"));

    [Fact]
    public void Compile_SeccompAtRestricted_RequiresAnAllowedProfile()
    {
        var policy = Compile("  podSecurity:\n    level: restricted\n    parameters:\n      seccomp: {allowedProfiles: [localhost/profiles/audit.json]}\n");
        const string Pod = "  securityContext: {runAsNonRoot: true, seccompProfile: PROFILE}\n  containers:\n  - {name: app, image: a, securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}}\n";

        Assert.Empty(Violations(policy, Pod.Replace("PROFILE", "{type: Localhost, localhostProfile: profiles/audit.json}", StringComparison.Ordinal)));
        Assert.Equal(
            "seccompProfile_restricted",
            Assert.Single(Violations(policy, Pod.Replace("PROFILE", "{type: RuntimeDefault}", StringComparison.Ordinal))).Check);
    }

    [Fact]
    public void Compile_SeLinuxAndProcMount_ReplaceTheStandardRules()
    {
        var policy = Compile(Baseline + "    parameters:\n      seLinux: {allowedOptions: [{type: spc_t}]}\n      procMount: {allowedTypes: [Default, Unmasked]}\n      appArmor: {allowedProfiles: [Unconfined]}\n");

        Assert.Empty(Violations(policy, "  containers:\n  - {name: app, image: a, securityContext: {procMount: Unmasked, seLinuxOptions: {type: spc_t}, appArmorProfile: {type: Unconfined}}}\n"));
        Assert.Single(Violations(policy, "  containers:\n  - {name: app, image: a, securityContext: {seLinuxOptions: {type: container_t}}}\n"));
    }

    [Fact]
    public void Load_BadProfiles_NameEachField() =>
        Assert.Equal(
            [
                "test.yaml:9: spec.podSecurity.parameters.seccomp.allowedProfiles[0]: \"runtime/default\" is not a profile (use RuntimeDefault, Unconfined, Localhost, localhost/NAME or *)",
                "test.yaml:10: spec.podSecurity.parameters.seLinux.allowedOptions[0]: an option set names at least one of user, role, type and level",
                "test.yaml:11: spec.podSecurity.parameters.procMount.allowedTypes[0]: \"Masked\" is not a procMount type (use Default or Unmasked)",
            ],
            Problems(Baseline + "    parameters:\n      seccomp: {allowedProfiles: [runtime/default]}\n      seLinux: {allowedOptions: [{}]}\n      procMount: {allowedTypes: [Masked]}\n"));
}
