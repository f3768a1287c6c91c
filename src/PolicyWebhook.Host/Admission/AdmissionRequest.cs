using System.Text.Json;

namespace PolicyWebhook.Host.Admission;

/// <summary>
/// The parts of an <c>admission.k8s.io</c> AdmissionReview request the webhook uses. The objects stay as the bytes
/// that were sent (slices of the body, valid while it is) and are parsed only when a handler asks.
/// </summary>
public sealed class AdmissionRequest : IDisposable
{
    private JsonDocument? _object;
    private JsonDocument? _oldObject;

    /// <summary>The review's own apiVersion, echoed in the answer.</summary>
    public required string ApiVersion { get; init; }

    public required string Uid { get; init; }

    /// <summary>The group of the object's kind; empty for the core group.</summary>
    public required string Group { get; init; }

    public required string Version { get; init; }

    public required string Kind { get; init; }

    /// <summary>Empty for the main resource; <c>ephemeralcontainers</c> for <c>kubectl debug</c>.</summary>
    public string SubResource { get; init; } = string.Empty;

    public string? Name { get; init; }

    public string? Namespace { get; init; }

    /// <summary>CREATE, UPDATE, DELETE or CONNECT.</summary>
    public required string Operation { get; init; }

    public string? User { get; init; }

    public bool DryRun { get; init; }

    /// <summary>The object's JSON as sent; empty when it is null (DELETE).</summary>
    public ReadOnlyMemory<byte> ObjectJson { get; init; }

    /// <summary>The old object's JSON as sent; empty when it is null (CREATE).</summary>
    public ReadOnlyMemory<byte> OldObjectJson { get; init; }

    public bool HasObject => !ObjectJson.IsEmpty;

    /// <summary>What was gathered about the pod's images before the handler ran; null when no policy verifies them.</summary>
    public PolicyWebhook.Provenance.GatheredImages? Images { get; set; }

    /// <summary>The decoded workload, or the answer saying why it could not be read, once <see cref="AdmittedObject.TryLocate"/> has run.</summary>
    internal (PolicyWebhook.Engine.WorkloadTarget? Target, AdmissionOutcome? Invalid)? Located { get; set; }

    /// <summary>The API server's <c>?timeout=</c> query (a Go duration such as <c>5s</c>), when it sent one.</summary>
    public string? Timeout { get; set; }

    /// <summary>The object, parsed on first use; undefined when it is null.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "The AdmissionReview field is called object.")]
    public JsonElement Object => ObjectJson.IsEmpty ? default : (_object ??= JsonDocument.Parse(ObjectJson, Reading)).RootElement;

    /// <summary>The old object, parsed on first use; undefined when it is null.</summary>
    public JsonElement OldObject => OldObjectJson.IsEmpty ? default : (_oldObject ??= JsonDocument.Parse(OldObjectJson, Reading)).RootElement;

    /// <summary>The object's apiVersion as <c>group/version</c>, or <c>version</c> for the core group.</summary>
    public string ApiGroupVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    internal static JsonDocumentOptions Reading { get; } = new() { MaxDepth = AdmissionReviewReader.MaxDepth };

    public void Dispose()
    {
        _object?.Dispose();
        _oldObject?.Dispose();
    }
}
