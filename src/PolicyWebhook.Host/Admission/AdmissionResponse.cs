using System.Buffers;
using System.Text.Json;

namespace PolicyWebhook.Host.Admission;

/// <summary>
/// The answer to one AdmissionReview: allowed or not, why, warnings, audit annotations and a patch. A record, so a
/// decorator that adds to an answer (a warning, an annotation) copies it with <c>with</c>, every other field kept.
/// </summary>
public sealed record AdmissionResponse
{
    public bool Allowed { get; init; }

    /// <summary>The HTTP-like code of a denial: 403 for a policy, 400 for an object that cannot be read.</summary>
    public int Code { get; init; }

    public string? Reason { get; init; }

    public string? Message { get; init; }

    public IReadOnlyList<string> Warnings { get; init; } = [];

    public IReadOnlyDictionary<string, string> AuditAnnotations { get; init; } = EmptyAnnotations;

    /// <summary>An RFC 6902 JSON Patch as UTF-8 bytes; null when nothing changes.</summary>
    public byte[]? Patch { get; init; }

    private static readonly Dictionary<string, string> EmptyAnnotations = [];

    // Relaxed escaping: the answer is read by the API server and by people with curl, never embedded in HTML.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static AdmissionResponse Allow { get; } = new() { Allowed = true };

    public static AdmissionResponse Deny(int code, string reason, string message) =>
        new() { Allowed = false, Code = code, Reason = reason, Message = message };

    /// <summary>Writes the AdmissionReview that answers request <paramref name="uid"/> of review version <paramref name="apiVersion"/>.</summary>
    public void WriteReview(IBufferWriter<byte> output, string apiVersion, string uid)
    {
        using var json = new Utf8JsonWriter(output, WriterOptions);
        json.WriteStartObject();
        json.WriteString("apiVersion", apiVersion);
        json.WriteString("kind", "AdmissionReview");
        json.WriteStartObject("response");
        json.WriteString("uid", uid);
        json.WriteBoolean("allowed", Allowed);
        if (!Allowed)
        {
            json.WriteStartObject("status");
            json.WriteString("status", "Failure");
            json.WriteNumber("code", Code);
            json.WriteString("reason", Reason);
            json.WriteString("message", Message);
            json.WriteEndObject();
        }

        if (Warnings.Count > 0)
        {
            json.WriteStartArray("warnings");
            foreach (var warning in Warnings)
            {
                json.WriteStringValue(warning);
            }

            json.WriteEndArray();
        }

        if (AuditAnnotations.Count > 0)
        {
            json.WriteStartObject("auditAnnotations");
            foreach (var (key, value) in AuditAnnotations)
            {
                json.WriteString(key, value);
            }

            json.WriteEndObject();
        }

        if (Patch is { Length: > 0 })
        {
            json.WriteString("patchType", "JSONPatch");
            json.WriteBase64String("patch", Patch);
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }
}
