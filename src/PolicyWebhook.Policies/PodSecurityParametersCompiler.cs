using PolicyWebhook.Engine;
using PolicyWebhook.Engine.Checks;
using PolicyWebhook.Policies.Resources;

namespace PolicyWebhook.Policies;

/// <summary>Turns validated <c>podSecurity.parameters</c> into the functions that replace the standard's checks, by check id.</summary>
internal static class PodSecurityParametersCompiler
{
    /// <summary>The parameterised checks; null when no parameter is set, so the standard runs untouched.</summary>
    public static IReadOnlyDictionary<string, PodCheck>? Compile(PodSecurityParameters? parameters)
    {
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
            // Whichever of the two the level runs is replaced: restricted overrides baseline in the table.
            var options = new CapabilitiesOptions(capabilities.Allowed, capabilities.RequiredDrop);
            checks["capabilities_baseline"] = CapabilitiesBaselineCheck.With(options);
            checks["capabilities_restricted"] = CapabilitiesRestrictedCheck.With(options);
        }

        return checks.Count == 0 ? null : checks;
    }
}
