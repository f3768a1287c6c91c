using PolicyWebhook.Engine;
using PolicyWebhook.Engine.Checks;
using PolicyWebhook.Policies.Resources;

namespace PolicyWebhook.Policies;

/// <summary>
/// Turns validated <c>podSecurity.parameters</c> into the functions that replace the standard's checks, by check id;
/// a check the level does not run is added with its parameters.
/// </summary>
internal static class PodSecurityParametersCompiler
{
    /// <summary>The parameterised checks; null when no parameter is set, so the standard runs untouched.</summary>
    public static IReadOnlyDictionary<string, PodCheck>? Compile(PodSecurityParameters? parameters, IReadOnlyList<PssTableEntry> table, PssVersion version)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (parameters is null)
        {
            return null;
        }

        var checks = new Dictionary<string, PodCheck>(StringComparer.Ordinal);
        if (parameters.HostPorts is { } hostPorts)
        {
            checks["hostPorts"] = HostPortsCheck.With(new HostPortsOptions([.. (hostPorts.Allowed ?? []).Select(r => new PortRange(r.Min!.Value, r.Max!.Value))]));
        }

        if (parameters.HostNamespaces is { AllowHostNetwork: { } allowHostNetwork })
        {
            checks["hostNamespaces"] = HostNamespacesCheck.With(new HostNamespacesOptions(allowHostNetwork));
        }

        if (parameters.HostPathVolumes is { } hostPaths)
        {
            checks["hostPathVolumes"] = HostPathVolumesCheck.With(new HostPathVolumesOptions(
                [.. (hostPaths.Allowed ?? []).Select(a => new AllowedHostPath(a.PathPrefix!, a.ReadOnly ?? false))]));
        }

        if (parameters.Capabilities is { } capabilities)
        {
            // The restricted rule where the level runs it (it overrides the baseline one), else the baseline rule.
            var options = new CapabilitiesOptions(capabilities.Allowed, capabilities.RequiredDrop);
            if (table.Any(e => e.Id == "capabilities_restricted"))
            {
                checks["capabilities_restricted"] = CapabilitiesRestrictedCheck.With(options, exemptWindows: version.EffectiveMinor >= 25);
            }
            else
            {
                checks["capabilities_baseline"] = CapabilitiesBaselineCheck.With(options);
            }
        }

        if (parameters.Volumes is { } volumes)
        {
            checks["restrictedVolumes"] = RestrictedVolumesCheck.With(new VolumesOptions(volumes.AllowedTypes, volumes.AllowedFlexVolumeDrivers));
        }

        if (parameters.Sysctls is { } sysctls)
        {
            checks["sysctls"] = SysctlsCheck.With(new SysctlsOptions(sysctls.Allowed, sysctls.Forbidden), version);
        }

        if (parameters.Users is { } users)
        {
            var standard = table.FirstOrDefault(e => e.Id == "runAsUser")?.Evaluate;
            checks["runAsUser"] = RunAsUserCheck.With(new UsersOptions(Rule(users.RunAsUser), Rule(users.RunAsGroup), Rule(users.SupplementalGroups), Rule(users.FsGroup)), standard);
        }

        if (parameters.Seccomp?.AllowedProfiles is { } seccomp)
        {
            // At restricted every container needs a profile, as the standard says; at baseline it may leave it unset.
            var restricted = table.Any(e => e.Id == "seccompProfile_restricted");
            checks[restricted ? "seccompProfile_restricted" : "seccompProfile_baseline"] = SeccompProfileBaselineCheck.With(new AllowedProfiles(seccomp), requireSet: restricted, exemptWindows: version.EffectiveMinor >= 25);
        }

        if (parameters.AppArmor?.AllowedProfiles is { } appArmor)
        {
            checks["appArmorProfile"] = AppArmorProfileCheck.With(new AllowedProfiles(appArmor));
        }

        if (parameters.SeLinux?.AllowedOptions is { } seLinux)
        {
            checks["seLinuxOptions"] = SeLinuxOptionsCheck.With([.. seLinux.Select(o => new SeLinuxOptionSet(o.User, o.Role, o.Type, o.Level))]);
        }

        if (parameters.ProcMount?.AllowedTypes is { } procMount)
        {
            checks[table.Any(e => e.Id == "procMount_restricted") ? "procMount_restricted" : "procMount"] = ProcMountCheck.With(procMount);
        }

        return checks.Count == 0 ? null : checks;
    }

    private static IdRuleOptions? Rule(IdRuleSpec? rule) => rule is null
        ? null
        : new IdRuleOptions(Enum.Parse<IdRule>(rule.Rule!), [.. (rule.Ranges ?? []).Select(r => new IdRange(r.Min!.Value, r.Max!.Value))]);
}
