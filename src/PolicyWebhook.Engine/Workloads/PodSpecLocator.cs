using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace PolicyWebhook.Engine.Workloads;

/// <summary>
/// Finds the pod spec a workload will run: a Pod's own spec, or the pod template of a Deployment, ReplicaSet,
/// StatefulSet, DaemonSet, Job, CronJob, ReplicationController or PodTemplate, with the field paths as they stand
/// in the object the user wrote.
/// </summary>
public static class PodSpecLocator
{
    /// <summary>The kinds that carry a pod spec, with the model type each is read into.</summary>
    public static IReadOnlyDictionary<string, Type> Kinds { get; } = new Dictionary<string, Type>(StringComparer.Ordinal)
    {
        ["Pod"] = typeof(V1Pod),
        ["Deployment"] = typeof(V1Deployment),
        ["ReplicaSet"] = typeof(V1ReplicaSet),
        ["StatefulSet"] = typeof(V1StatefulSet),
        ["DaemonSet"] = typeof(V1DaemonSet),
        ["Job"] = typeof(V1Job),
        ["CronJob"] = typeof(V1CronJob),
        ["ReplicationController"] = typeof(V1ReplicationController),
        ["PodTemplate"] = typeof(V1PodTemplate),
    };

    /// <summary>The field names leading from the object to its pod spec, per kind.</summary>
    private static readonly Dictionary<string, string[]> SpecSegmentsByKind = new(StringComparer.Ordinal)
    {
        ["Pod"] = ["spec"],
        ["Deployment"] = ["spec", "template", "spec"],
        ["ReplicaSet"] = ["spec", "template", "spec"],
        ["StatefulSet"] = ["spec", "template", "spec"],
        ["DaemonSet"] = ["spec", "template", "spec"],
        ["Job"] = ["spec", "template", "spec"],
        ["CronJob"] = ["spec", "jobTemplate", "spec", "template", "spec"],
        ["ReplicationController"] = ["spec", "template", "spec"],
        ["PodTemplate"] = ["template", "spec"],
    };

    /// <summary>The JSON Pointer of the pod spec in an object of <paramref name="kind"/>, such as <c>/spec/template/spec</c>.</summary>
    public static string SpecPointer(string kind) =>
        SpecSegmentsByKind.TryGetValue(kind, out var segments) ? "/" + string.Join('/', segments) : throw new ArgumentException($"{kind} carries no pod spec", nameof(kind));

    /// <summary>Finds the pod spec in the JSON of an object of <paramref name="kind"/>; false when there is none.</summary>
    public static bool TryFindSpec(JsonObject obj, string kind, out JsonObject spec)
    {
        ArgumentNullException.ThrowIfNull(obj);
        spec = null!;
        if (!SpecSegmentsByKind.TryGetValue(kind, out var segments))
        {
            return false;
        }

        JsonObject current = obj;
        foreach (var segment in segments)
        {
            if (current[segment] is not JsonObject next)
            {
                return false;
            }

            current = next;
        }

        spec = current;
        return true;
    }

    /// <summary>
    /// Finds the pod spec and the pod (template) metadata in the JSON of an object of <paramref name="kind"/>; false
    /// when there is no pod spec. The metadata is undefined when absent.
    /// </summary>
    public static bool TryFindSpec(JsonElement obj, string kind, out JsonElement spec, out JsonElement metadata)
    {
        spec = default;
        metadata = default;
        if (!SpecSegmentsByKind.TryGetValue(kind, out var segments))
        {
            return false;
        }

        var current = obj;
        for (var i = 0; i < segments.Length; i++)
        {
            if (current.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            if (i == segments.Length - 1 && current.TryGetProperty("metadata", out var m))
            {
                metadata = m;
            }

            if (!current.TryGetProperty(segments[i], out current))
            {
                return false;
            }
        }

        spec = current;
        return current.ValueKind == JsonValueKind.Object;
    }

    /// <summary>Finds the pod spec of <paramref name="obj"/>; false when it is not a workload or carries no pod spec.</summary>
    public static bool TryLocate(IKubernetesObject<V1ObjectMeta> obj, string defaultNamespace, out WorkloadTarget target)
    {
        ArgumentNullException.ThrowIfNull(obj);
        (string Kind, V1PodSpec? Spec, V1ObjectMeta? PodMetadata, string Prefix) found = obj switch
        {
            V1Pod p => ("Pod", p.Spec, p.Metadata, string.Empty),
            V1Deployment d => ("Deployment", d.Spec?.Template?.Spec, d.Spec?.Template?.Metadata, "spec.template."),
            V1ReplicaSet r => ("ReplicaSet", r.Spec?.Template?.Spec, r.Spec?.Template?.Metadata, "spec.template."),
            V1StatefulSet s => ("StatefulSet", s.Spec?.Template?.Spec, s.Spec?.Template?.Metadata, "spec.template."),
            V1DaemonSet d => ("DaemonSet", d.Spec?.Template?.Spec, d.Spec?.Template?.Metadata, "spec.template."),
            V1Job j => ("Job", j.Spec?.Template?.Spec, j.Spec?.Template?.Metadata, "spec.template."),
            V1CronJob c => ("CronJob", c.Spec?.JobTemplate?.Spec?.Template?.Spec, c.Spec?.JobTemplate?.Spec?.Template?.Metadata, "spec.jobTemplate.spec.template."),
            V1ReplicationController r => ("ReplicationController", r.Spec?.Template?.Spec, r.Spec?.Template?.Metadata, "spec.template."),
            V1PodTemplate t => ("PodTemplate", t.Template?.Spec, t.Template?.Metadata, "template."),
            _ => (obj.Kind ?? string.Empty, null, null, string.Empty),
        };

        if (found.Spec is null)
        {
            target = null!;
            return false;
        }

        var metadata = obj.Metadata;
        var name = !string.IsNullOrEmpty(metadata?.Name) ? metadata.Name
            : !string.IsNullOrEmpty(metadata?.GenerateName) ? metadata.GenerateName + "*"
            : "(unnamed)";
        target = new WorkloadTarget(
            found.Kind,
            name,
            string.IsNullOrEmpty(metadata?.NamespaceProperty) ? defaultNamespace : metadata.NamespaceProperty,
            metadata?.Labels,
            found.Spec,
            found.PodMetadata,
            found.Prefix + "spec",
            found.Prefix + "metadata");
        return true;
    }
}
