using k8s.Models;

namespace PolicyWebhook.Policies.Resources;

/// <summary>What a policy checks, in which mode, and what it applies to.</summary>
public sealed class PolicySpec
{
    /// <summary>Enforce (deny), Warn (allow with a warning) or Audit (allow and record). Defaults to Enforce.</summary>
    public string? Mode { get; set; }

    /// <summary>A Pod Security Standards level to apply, at a pinned version.</summary>
    public PodSecuritySpec? PodSecurity { get; set; }

    /// <summary>The least-privilege checks beyond the standard, each turned on by being present.</summary>
    public RulesSpec? Rules { get; set; }

    /// <summary>Fields the mutating webhook fills in where a pod leaves them out. Off unless set.</summary>
    public MutationSpec? Mutation { get; set; }

    /// <summary>Namespaces the policy matches must be behind a default-deny NetworkPolicy. A ClusterPolicy only.</summary>
    public NamespaceIsolationSpec? NamespaceIsolation { get; set; }

    public MatchSpec? Match { get; set; }

    public ExcludeSpec? Exclude { get; set; }
}

/// <summary>A Pod Security Standards level and version, as Pod Security Admission's namespace labels name them.</summary>
public sealed class PodSecuritySpec
{
    /// <summary>privileged, baseline or restricted.</summary>
    public string? Level { get; set; }

    /// <summary>latest (the default) or v1.N.</summary>
    public string? Version { get; set; }

    /// <summary>Overrides the policy's mode for the standard's checks.</summary>
    public string? Mode { get; set; }

    /// <summary>A site's parameters for the standard's checks; each one left out keeps its check as the standard says.</summary>
    public PodSecurityParameters? Parameters { get; set; }
}

/// <summary>The least-privilege rules. Each present rule turns its check on; its <c>mode</c> overrides the policy's.</summary>
public sealed class RulesSpec
{
    public ResourcesRule? Resources { get; set; }

    public ModeOnlyRule? ReadOnlyRootFilesystem { get; set; }

    public ImagesRule? Images { get; set; }

    public ImageTagsRule? ImageTags { get; set; }

    public ModeOnlyRule? InlineSecrets { get; set; }

    public RuntimeSocketsRule? RuntimeSockets { get; set; }

    public ModeOnlyRule? AutomountServiceAccountToken { get; set; }

    public ProbesRule? Probes { get; set; }

    public ImageVerificationRule? ImageVerification { get; set; }
}

/// <summary>A rule with no parameter but its mode.</summary>
public class ModeOnlyRule
{
    public string? Mode { get; set; }
}

/// <summary>Check <c>resources</c>: which requests and limits are required, and optional maximums.</summary>
public sealed class ResourcesRule : ModeOnlyRule
{
    /// <summary>Entries such as requests.cpu, requests.memory, limits.memory. Defaults to those three.</summary>
    public List<string>? Require { get; set; }

    /// <summary>Upper bounds, such as limits.cpu: "2", limits.memory: 4Gi.</summary>
    public Dictionary<string, string>? Maximums { get; set; }
}

/// <summary>Check <c>imageRegistries</c>: the registry hosts images may come from, and repository globs allowed and denied.</summary>
public sealed class ImagesRule : ModeOnlyRule
{
    public List<string>? AllowedRegistries { get; set; }

    /// <summary>Globs over the normalised reference, such as <c>docker.io/library/*</c> or <c>ghcr.io/acme/api:1.2</c>; an image must match one.</summary>
    public List<string>? AllowedRepositories { get; set; }

    /// <summary>Globs over the normalised reference an image must match none of.</summary>
    public List<string>? DeniedRepositories { get; set; }
}

/// <summary>Check <c>imageTags</c>: no mutable tags; optionally digests only.</summary>
public sealed class ImageTagsRule : ModeOnlyRule
{
    public bool? RequireDigest { get; set; }
}

/// <summary>Check <c>probes</c>: the probes every long-running container sets.</summary>
public sealed class ProbesRule : ModeOnlyRule
{
    /// <summary>livenessProbe, readinessProbe and/or startupProbe; defaults to livenessProbe and readinessProbe.</summary>
    public List<string>? Require { get; set; }
}

/// <summary>Check <c>runtimeSockets</c>: no runtime sockets or host root through hostPath, and optional further paths.</summary>
public sealed class RuntimeSocketsRule : ModeOnlyRule
{
    public List<string>? AdditionalPaths { get; set; }
}

/// <summary>What <c>/mutate</c> fills in: it only adds what is missing and never overrides a value the user set.</summary>
public sealed class MutationSpec
{
    /// <summary>
    /// Security fields to default: runAsNonRoot (true), allowPrivilegeEscalation (false), capabilities (drop ALL),
    /// seccompProfile (RuntimeDefault), readOnlyRootFilesystem (true).
    /// </summary>
    public List<string>? Defaults { get; set; }

    /// <summary>Requests and limits given to containers that do not set them.</summary>
    public ResourceDefaultsSpec? Resources { get; set; }
}

/// <summary>Default requests and limits, such as <c>requests: {cpu: 100m, memory: 128Mi}</c>.</summary>
public sealed class ResourceDefaultsSpec
{
    public Dictionary<string, string>? Requests { get; set; }

    public Dictionary<string, string>? Limits { get; set; }
}

/// <summary>What a policy applies to. Every part left out matches everything.</summary>
public sealed class MatchSpec
{
    /// <summary>Namespace names; <c>*</c> matches any run of characters.</summary>
    public List<string>? Namespaces { get; set; }

    public V1LabelSelector? NamespaceSelector { get; set; }

    public V1LabelSelector? ObjectSelector { get; set; }

    /// <summary>Kinds such as Pod, Deployment, CronJob.</summary>
    public List<string>? Kinds { get; set; }
}

/// <summary>What a policy leaves out.</summary>
public sealed class ExcludeSpec
{
    /// <summary>Namespace names; <c>*</c> matches any run of characters.</summary>
    public List<string>? Namespaces { get; set; }

    /// <summary>Images whose containers are not checked, such as <c>registry.k8s.io/pause:*</c>.</summary>
    public List<string>? Images { get; set; }

    /// <summary>Check ids not to run.</summary>
    public List<string>? Checks { get; set; }
}
