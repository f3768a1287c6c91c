using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace PolicyWebhook.Policies.Resources;

/// <summary>
/// A namespaced, time-boxed waiver: in its own namespace, named checks of one policy do not apply to the objects
/// it selects (optionally only to some containers or images), until <c>expiresAt</c>.
/// </summary>
public sealed class PolicyException : IKubernetesObject<V1ObjectMeta>
{
    public const string KindName = "PolicyException";

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = PolicyApi.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = KindName;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public PolicyExceptionSpec Spec { get; set; } = new();

    /// <summary>Written by the webhook, never by the author; absent in files.</summary>
    [JsonPropertyName("status")]
    public ResourceStatus? Status { get; set; }
}

/// <summary>Which policy's checks are waived, for what, why, and until when.</summary>
public sealed class PolicyExceptionSpec
{
    /// <summary>The policy whose checks are waived.</summary>
    public PolicyTarget? Policy { get; set; }

    /// <summary>Check ids waived, such as runAsNonRoot.</summary>
    public List<string>? Checks { get; set; }

    /// <summary>The objects waived: by name, label selector and kind. Names or a selector are required.</summary>
    public ExceptionMatchSpec? Match { get; set; }

    /// <summary>Only these container names (globs); unset means every container and the pod-level fields.</summary>
    public List<string>? Containers { get; set; }

    /// <summary>Only containers running these images (globs); unset means any image.</summary>
    public List<string>? Images { get; set; }

    /// <summary>Why the waiver is needed: read by whoever reviews it.</summary>
    public string? Justification { get; set; }

    /// <summary>When the waiver stops applying, as an RFC 3339 time; at most the configured maximum ahead (90 days).</summary>
    public string? ExpiresAt { get; set; }
}

/// <summary>A policy by kind and name; a <c>Policy</c> is looked up in the exception's own namespace.</summary>
public sealed class PolicyTarget
{
    /// <summary>ClusterPolicy (the default) or Policy.</summary>
    public string? Kind { get; set; }

    public string? Name { get; set; }
}

/// <summary>The objects an exception selects, within its namespace.</summary>
public sealed class ExceptionMatchSpec
{
    /// <summary>Object names; <c>*</c> matches any run of characters (a Deployment's pods are "web-*").</summary>
    public List<string>? Names { get; set; }

    public V1LabelSelector? ObjectSelector { get; set; }

    /// <summary>Kinds such as Deployment, Pod; unset means every kind.</summary>
    public List<string>? Kinds { get; set; }
}
