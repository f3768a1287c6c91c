using System.Text.Json;
using k8s;
using k8s.Models;

namespace PolicyWebhook.Engine.Workloads;

/// <summary>Reads the JSON of an object whose kind carries a pod spec into its Kubernetes model type.</summary>
public static class WorkloadDecoder
{
    /// <summary>True when <paramref name="apiVersion"/> and <paramref name="kind"/> name a workload this engine checks.</summary>
    public static bool IsWorkload(string? apiVersion, string? kind)
    {
        if (kind is null || !PodSpecLocator.Kinds.ContainsKey(kind))
        {
            return false;
        }

        var slash = apiVersion?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        var group = slash < 0 ? string.Empty : apiVersion![..slash];
        return kind switch
        {
            "Pod" or "ReplicationController" or "PodTemplate" => group.Length == 0,
            "Job" or "CronJob" => group == "batch",
            _ => group is "apps" or "extensions",
        };
    }

    /// <summary>Decodes a workload's JSON; throws <see cref="System.Text.Json.JsonException"/> (with the path) when it does not fit the kind.</summary>
    public static IKubernetesObject<V1ObjectMeta> Decode(string kind, string json)
    {
        using var document = JsonDocument.Parse(json);
        return Decode(kind, document.RootElement);
    }

    /// <summary>Decodes a workload from parsed JSON, without copying it to a string first.</summary>
    public static IKubernetesObject<V1ObjectMeta> Decode(string kind, JsonElement json) => kind switch
    {
        "Pod" => KubernetesJson.Deserialize<V1Pod>(json),
        "Deployment" => KubernetesJson.Deserialize<V1Deployment>(json),
        "ReplicaSet" => KubernetesJson.Deserialize<V1ReplicaSet>(json),
        "StatefulSet" => KubernetesJson.Deserialize<V1StatefulSet>(json),
        "DaemonSet" => KubernetesJson.Deserialize<V1DaemonSet>(json),
        "Job" => KubernetesJson.Deserialize<V1Job>(json),
        "CronJob" => KubernetesJson.Deserialize<V1CronJob>(json),
        "ReplicationController" => KubernetesJson.Deserialize<V1ReplicationController>(json),
        "PodTemplate" => KubernetesJson.Deserialize<V1PodTemplate>(json),
        _ => throw new ArgumentException($"{kind} carries no pod spec", nameof(kind)),
    };
}
