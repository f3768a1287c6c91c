using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace PolicyWebhook.Policies.Resources;

/// <summary>The API group and version of every PolicyWebhook resource.</summary>
public static class PolicyApi
{
    public const string Group = "policywebhook.io";
    public const string Version = "v1alpha1";
    public const string ApiVersion = Group + "/" + Version;
}

/// <summary>What <see cref="ClusterPolicy"/> and <see cref="Policy"/> share: the shape of a policy resource.</summary>
public abstract class PolicyResource : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = PolicyApi.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = string.Empty;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public PolicySpec Spec { get; set; } = new();

    /// <summary>Written by the webhook, never by the author; absent in files.</summary>
    [JsonPropertyName("status")]
    public ResourceStatus? Status { get; set; }

    /// <summary>True for a namespaced <see cref="Policy"/>, which applies only in its own namespace.</summary>
    [JsonIgnore]
    public abstract bool IsNamespaced { get; }
}

/// <summary>A cluster-wide policy: applies in every namespace its match selects.</summary>
public sealed class ClusterPolicy : PolicyResource
{
    public const string KindName = "ClusterPolicy";

    public ClusterPolicy() => Kind = KindName;

    public override bool IsNamespaced => false;
}

/// <summary>A namespaced policy: applies only in its own namespace, and can add restrictions but never lift one.</summary>
public sealed class Policy : PolicyResource
{
    public const string KindName = "Policy";

    public Policy() => Kind = KindName;

    public override bool IsNamespaced => true;
}
