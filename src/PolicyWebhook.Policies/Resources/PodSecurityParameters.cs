namespace PolicyWebhook.Policies.Resources;

/// <summary>
/// A site's parameters for the Pod Security Standards checks, in the vocabulary of PodSecurityPolicy, Gatekeeper and
/// Kyverno. Each parameter left out keeps its check exactly as the standard says; a parameter for a check the level
/// does not run (volumes at baseline) adds that check with the parameter.
/// </summary>
public sealed class PodSecurityParameters
{
    public HostPortsParameters? HostPorts { get; set; }

    public HostNamespacesParameters? HostNamespaces { get; set; }

    public HostPathVolumesParameters? HostPathVolumes { get; set; }

    public CapabilitiesParameters? Capabilities { get; set; }

    public VolumesParameters? Volumes { get; set; }

    public SysctlsParameters? Sysctls { get; set; }

    public UsersParameters? Users { get; set; }

    public ProfilesParameters? Seccomp { get; set; }

    public ProfilesParameters? AppArmor { get; set; }

    public SeLinuxParameters? SeLinux { get; set; }

    public ProcMountParameters? ProcMount { get; set; }
}

/// <summary>Check <c>hostPorts</c>: host port ranges allowed (PSP <c>hostPorts</c>).</summary>
public sealed class HostPortsParameters
{
    /// <summary>Ranges such as <c>{min: 8000, max: 9000}</c>; an empty list allows none.</summary>
    public List<PortRangeSpec>? Allowed { get; set; }
}

/// <summary>An inclusive range of ports.</summary>
public sealed class PortRangeSpec
{
    public int? Min { get; set; }

    public int? Max { get; set; }
}

/// <summary>Check <c>hostNamespaces</c>: whether <c>hostNetwork</c> is allowed; hostPID and hostIPC stay forbidden.</summary>
public sealed class HostNamespacesParameters
{
    public bool? AllowHostNetwork { get; set; }
}

/// <summary>Check <c>hostPathVolumes</c>: host path prefixes allowed (PSP <c>allowedHostPaths</c>).</summary>
public sealed class HostPathVolumesParameters
{
    /// <summary>Prefixes such as <c>{pathPrefix: /var/log, readOnly: true}</c>; an empty list allows none.</summary>
    public List<AllowedHostPathSpec>? Allowed { get; set; }
}

/// <summary>An absolute path prefix, matched by whole segments, and whether its mounts must be read-only.</summary>
public sealed class AllowedHostPathSpec
{
    public string? PathPrefix { get; set; }

    public bool? ReadOnly { get; set; }
}

/// <summary>
/// Checks <c>capabilities_baseline</c> and <c>capabilities_restricted</c>: what may be added and what must be dropped
/// (PSP <c>allowedCapabilities</c>, <c>requiredDropCapabilities</c>). A list left out keeps the level's rule.
/// </summary>
public sealed class CapabilitiesParameters
{
    /// <summary>Capabilities that may be added, such as NET_ADMIN; <c>*</c> or ALL for any; an empty list allows none.</summary>
    public List<string>? Allowed { get; set; }

    /// <summary>Capabilities every container must drop, such as NET_RAW; dropping ALL covers every one.</summary>
    public List<string>? RequiredDrop { get; set; }
}

/// <summary>Check <c>restrictedVolumes</c>: volume types and flexVolume drivers allowed (PSP <c>volumes</c>, <c>allowedFlexVolumes</c>).</summary>
public sealed class VolumesParameters
{
    /// <summary>Types as the pod spec names them (configMap, nfs, hostPath...), or <c>*</c> for all; left out keeps the standard's list.</summary>
    public List<string>? AllowedTypes { get; set; }

    /// <summary>flexVolume drivers allowed, such as example.com/lvm; left out allows any.</summary>
    public List<string>? AllowedFlexVolumeDrivers { get; set; }
}

/// <summary>
/// Check <c>sysctls</c>: names allowed and forbidden (PSP <c>allowedUnsafeSysctls</c>, <c>forbiddenSysctls</c>;
/// Gatekeeper <c>allowedSysctls</c>). A name ending in <c>*</c> matches every name it begins; a lone <c>*</c> all.
/// </summary>
public sealed class SysctlsParameters
{
    /// <summary>Names allowed, replacing the standard's safe set; left out keeps it; an empty list allows none.</summary>
    public List<string>? Allowed { get; set; }

    /// <summary>Names forbidden even when allowed.</summary>
    public List<string>? Forbidden { get; set; }
}

/// <summary>
/// Check <c>runAsUser</c>, in PodSecurityPolicy's vocabulary: a rule for each id field (Gatekeeper
/// <c>K8sPSPAllowedUsers</c>, <c>K8sPSPFSGroup</c>). A field left out changes nothing.
/// </summary>
public sealed class UsersParameters
{
    /// <summary>MustRunAs, MustRunAsNonRoot or RunAsAny.</summary>
    public IdRuleSpec? RunAsUser { get; set; }

    /// <summary>MustRunAs, MayRunAs or RunAsAny.</summary>
    public IdRuleSpec? RunAsGroup { get; set; }

    /// <summary>MustRunAs, MayRunAs or RunAsAny.</summary>
    public IdRuleSpec? SupplementalGroups { get; set; }

    /// <summary>MustRunAs, MayRunAs or RunAsAny.</summary>
    public IdRuleSpec? FsGroup { get; set; }
}

/// <summary>A PSP rule for an id field, with its ranges for MustRunAs and MayRunAs.</summary>
public sealed class IdRuleSpec
{
    public string? Rule { get; set; }

    public List<IdRangeSpec>? Ranges { get; set; }
}

/// <summary>An inclusive range of ids.</summary>
public sealed class IdRangeSpec
{
    public long? Min { get; set; }

    public long? Max { get; set; }
}

/// <summary>
/// Checks <c>seccompProfile_*</c> or <c>appArmorProfile</c>: the profiles allowed on the fields (Gatekeeper
/// <c>K8sPSPSeccomp</c>, <c>K8sPSPAppArmor</c>).
/// </summary>
public sealed class ProfilesParameters
{
    /// <summary>RuntimeDefault, Unconfined, Localhost (any local profile), localhost/NAME (* for any run), or * for all.</summary>
    public List<string>? AllowedProfiles { get; set; }
}

/// <summary>Check <c>seLinuxOptions</c>: the option sets allowed (Gatekeeper <c>K8sPSPSELinuxV2</c> <c>allowedSELinuxOptions</c>).</summary>
public sealed class SeLinuxParameters
{
    public List<SeLinuxOptionsSpec>? AllowedOptions { get; set; }
}

/// <summary>An allowed set of SELinux options; a field left out allows any value there.</summary>
public sealed class SeLinuxOptionsSpec
{
    public string? User { get; set; }

    public string? Role { get; set; }

    public string? Type { get; set; }

    public string? Level { get; set; }
}

/// <summary>Checks <c>procMount</c> and <c>procMount_restricted</c>: the types allowed (Gatekeeper <c>K8sPSPProcMount</c>).</summary>
public sealed class ProcMountParameters
{
    /// <summary>Default and/or Unmasked.</summary>
    public List<string>? AllowedTypes { get; set; }
}
