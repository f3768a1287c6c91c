using System.Text.Json.Serialization;
using k8s.Models;

namespace PolicyWebhook.Host.Cluster;

/// <summary>The list the API server answers for a list call: items and the resourceVersion to watch from.</summary>
public sealed class ResourceList<T>
{
    [JsonPropertyName("metadata")]
    public V1ListMeta? Metadata { get; set; }

    [JsonPropertyName("items")]
    public List<T>? Items { get; set; }
}
