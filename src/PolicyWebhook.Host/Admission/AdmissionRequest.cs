using System.Text.Json;

namespace PolicyWebhook.Host.Admission;

/// <summary>
/// The parts of an <c>admission.k8s.io</c> AdmissionReview request the webhook uses. <see cref="Object"/> and
/// <see cref="OldObject"/> point into the parsed body and are valid only while it is.
/// </summary>
public sealed class AdmissionRequest
{
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

    /// <summary>The object as it would be stored; undefined on DELETE.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "The AdmissionReview field is called object.")]
    public JsonElement Object { get; init; }

    /// <summary>The object as stored before an UPDATE or DELETE; undefined on CREATE.</summary>
    public JsonElement OldObject { get; init; }

    /// <summary>The object's apiVersion as <c>group/version</c>, or <c>version</c> for the core group.</summary>
    public string ApiGroupVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";
}
