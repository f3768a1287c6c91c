using System.Text.Json;
using k8s;
using k8s.Models;
using PolicyWebhook.Engine;
using PolicyWebhook.Engine.Workloads;
using PolicyWebhook.Policies;

namespace PolicyWebhook.Host.Admission;

/// <summary>Reads what the handlers need from a request's objects: the decoded workload, whether its pod spec changed, new debug containers.</summary>
public static class AdmittedObject
{
    /// <summary>
    /// Decodes the request's object and finds its pod spec; on failure, the answer that says why (code 400). Decoded
    /// once per request: the image verification step and the handler both ask, and decoding is most of a request's cost.
    /// </summary>
    public static bool TryLocate(AdmissionRequest request, out WorkloadTarget target, out AdmissionOutcome? invalid)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Located is not { } located)
        {
            var found = Locate(request, out var decoded, out var why);
            located = (found ? decoded : null, why);
            request.Located = located;
        }

        (target, invalid) = (located.Target!, located.Invalid);
        return located.Invalid is null;
    }

    private static bool Locate(AdmissionRequest request, out WorkloadTarget target, out AdmissionOutcome? invalid)
    {
        target = null!;
        invalid = null;
        IKubernetesObject<V1ObjectMeta> decoded;
        try
        {
            decoded = WorkloadDecoder.DecodeForChecks(request.Kind, request.ObjectJson.Span);
        }
        catch (JsonException e)
        {
            var at = e.Path is { Length: > 2 } path ? $" at {JsonErrors.FieldPath(path)}" : string.Empty;
            invalid = Invalid(request, $"it does not fit the {request.Kind} schema{at}: {JsonErrors.Describe(e)}");
            return false;
        }
        catch (Exception e) when (WorkloadDecoder.IsShapeError(e))
        {
            invalid = Invalid(request, $"a field has a value of the wrong form for the {request.Kind} schema ({e.GetType().Name})");
            return false;
        }

        if (!PodSpecLocator.TryLocate(decoded, request.Namespace ?? "default", out target))
        {
            invalid = Invalid(request, "it has no pod spec where its kind keeps one");
            return false;
        }

        return true;
    }

    /// <summary>
    /// True for an UPDATE that leaves the pod spec and the pod's annotations as they were (a label, a status, a
    /// finalizer): an existing workload is never frozen by a policy that came after it.
    /// </summary>
    public static bool PodSpecUnchanged(AdmissionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Operation != "UPDATE" || request.OldObject.ValueKind != JsonValueKind.Object
            || !PodSpecLocator.TryFindSpec(request.Object, request.Kind, out var spec, out var metadata)
            || !PodSpecLocator.TryFindSpec(request.OldObject, request.Kind, out var oldSpec, out var oldMetadata))
        {
            return false;
        }

        if (!JsonElement.DeepEquals(spec, oldSpec))
        {
            return false;
        }

        // A Pod's AppArmor and seccomp annotations cannot change once it exists; a template's can, and they still
        // carry settings some checks read. Any other annotation is not the checks' business.
        return request.Kind == "Pod" || SecurityAnnotationsEqual(Annotations(metadata), Annotations(oldMetadata));
    }

    /// <summary>True when the object has an ownerReference with <c>controller: true</c>.</summary>
    public static bool HasControllerOwner(AdmissionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var obj = request.Object;
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty("metadata", out var metadata) || metadata.ValueKind != JsonValueKind.Object
            || !metadata.TryGetProperty("ownerReferences", out var owners) || owners.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        foreach (var owner in owners.EnumerateArray())
        {
            if (owner.ValueKind == JsonValueKind.Object && owner.TryGetProperty("controller", out var controller) && controller.ValueKind == JsonValueKind.True)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The names of the ephemeral containers in the object that were not in the old object.</summary>
    public static HashSet<string> NewEphemeralContainers(AdmissionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var names = EphemeralNames(request.Object);
        return [.. NewEphemeralContainerIndices(request, names).Select(i => names[i]!)];
    }

    /// <summary>The positions, in the object's list, of the ephemeral containers that were not in the old object.</summary>
    public static List<int> NewEphemeralContainerIndices(AdmissionRequest request) =>
        NewEphemeralContainerIndices(request ?? throw new ArgumentNullException(nameof(request)), EphemeralNames(request.Object));

    private static List<int> NewEphemeralContainerIndices(AdmissionRequest request, List<string?> names)
    {
        var old = new HashSet<string?>(EphemeralNames(request.OldObject), StringComparer.Ordinal);
        var added = new List<int>();
        for (var i = 0; i < names.Count; i++)
        {
            if (names[i] is { } name && !old.Contains(name))
            {
                added.Add(i);
            }
        }

        return added;
    }

    /// <summary>The ephemeral containers' names in list order; null where a name cannot be read.</summary>
    private static List<string?> EphemeralNames(JsonElement pod)
    {
        var names = new List<string?>();
        if (pod.ValueKind == JsonValueKind.Object && pod.TryGetProperty("spec", out var spec) && spec.ValueKind == JsonValueKind.Object
            && spec.TryGetProperty("ephemeralContainers", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var container in list.EnumerateArray())
            {
                names.Add(container.ValueKind == JsonValueKind.Object && container.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String
                    ? TryGetString(name)
                    : null);
            }
        }

        return names;
    }

    /// <summary>The string, or null when it holds an escape that is not valid UTF-16 (a lone surrogate).</summary>
    internal static string? TryGetString(JsonElement value)
    {
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static bool SecurityAnnotationsEqual(JsonElement a, JsonElement b)
    {
        var left = SecurityAnnotations(a);
        var right = SecurityAnnotations(b);
        return left.Count == right.Count && left.All(kv => right.TryGetValue(kv.Key, out var v) && v == kv.Value);
    }

    private static Dictionary<string, string> SecurityAnnotations(JsonElement annotations)
    {
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        if (annotations.ValueKind != JsonValueKind.Object)
        {
            return found;
        }

        foreach (var annotation in annotations.EnumerateObject())
        {
            if (annotation.Name.StartsWith("container.apparmor.security.beta.kubernetes.io/", StringComparison.Ordinal)
                || annotation.Name.StartsWith("seccomp.security.alpha.kubernetes.io/", StringComparison.Ordinal)
                || annotation.Name.StartsWith("container.seccomp.security.alpha.kubernetes.io/", StringComparison.Ordinal))
            {
                found[annotation.Name] = annotation.Value.GetRawText();
            }
        }

        return found;
    }

    private static JsonElement Annotations(JsonElement metadata) =>
        metadata.ValueKind == JsonValueKind.Object && metadata.TryGetProperty("annotations", out var annotations) ? annotations : default;

    internal static AdmissionOutcome Invalid(AdmissionRequest request, string why) =>
        new(AdmissionResponse.Deny(StatusCodes.Status400BadRequest, "BadRequest", $"{request.Kind} \"{DisplayName(request)}\" could not be read: {why}"), Decisions.Invalid, []);

    /// <summary>The name as messages show it: the request's, else the object's generateName with a *, else (unnamed).</summary>
    private static string DisplayName(AdmissionRequest request)
    {
        if (!string.IsNullOrEmpty(request.Name))
        {
            return request.Name;
        }

        try
        {
            var obj = request.Object;
            return obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
                && metadata.TryGetProperty("generateName", out var generateName) && TryGetString(generateName) is { Length: > 0 } prefix
                ? prefix + "*"
                : "(unnamed)";
        }
        catch (InvalidOperationException)
        {
            return "(unnamed)";
        }
    }
}
