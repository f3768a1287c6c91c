using k8s.Models;

namespace PolicyWebhook.Engine;

/// <summary>
/// The pod spec inside an object, found by <see cref="Workloads.PodSpecLocator"/>: the object's kind, name,
/// namespace and labels, and where its pod spec and pod metadata stand in it.
/// </summary>
public sealed record WorkloadTarget(
    string Kind,
    string Name,
    string Namespace,
    IDictionary<string, string>? Labels,
    V1PodSpec Spec,
    V1ObjectMeta? PodMetadata,
    string SpecPath,
    string MetadataPath);
