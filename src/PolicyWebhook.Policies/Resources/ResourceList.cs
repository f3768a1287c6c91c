using System.Text.Json.Serialization;
using k8s.Models;

namespace PolicyWebhook.Policies.Resources;

/// <summary>The list the API server answers for a list of custom resources: items, the resourceVersion to watch from, and the continue token of the next page.</summary>
public sealed class ResourceList<T>
{
    [JsonPropertyName("metadata")]
    public V1ListMeta? Metadata { get; set; }

    [JsonPropertyName("items")]
    public List<T>? Items { get; set; }
}
