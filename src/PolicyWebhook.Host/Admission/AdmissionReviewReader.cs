using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;

namespace PolicyWebhook.Host.Admission;

/// <summary>Why a body was refused before it reached a handler: the HTTP status and a message that says what is wrong.</summary>
public sealed record ReadProblem(int Status, string Message);

/// <summary>A parsed AdmissionReview body. Dispose it after the answer is written: it returns its buffer to the pool.</summary>
public sealed class ParsedReview : IDisposable
{
    private byte[]? _buffer;

    internal ParsedReview(JsonDocument document, byte[] buffer, AdmissionRequest request)
    {
        Document = document;
        _buffer = buffer;
        Request = request;
    }

    public JsonDocument Document { get; }

    public AdmissionRequest Request { get; }

    public void Dispose()
    {
        Document.Dispose();
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
    }
}

/// <summary>
/// Reads an AdmissionReview from an HTTP request: content type, size limit, JSON and the required fields, each
/// refused with its own status and a message that never repeats the body's content.
/// </summary>
public static class AdmissionReviewReader
{
    private static readonly JsonDocumentOptions ParseOptions = new() { MaxDepth = 256 };

    /// <summary>Reads and parses the body; exactly one of the two results is set.</summary>
    public static async ValueTask<(ParsedReview? Review, ReadProblem? Problem)> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!IsJson(request.ContentType))
        {
            return (null, new ReadProblem(StatusCodes.Status415UnsupportedMediaType,
                $"an AdmissionReview must be sent as application/json, not {(string.IsNullOrEmpty(request.ContentType) ? "without a content type" : Printable(request.ContentType))}"));
        }

        if (request.ContentLength > maxBytes)
        {
            return (null, TooLarge(maxBytes));
        }

        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = maxBytes;
        }

        var (buffer, length, problem) = await ReadBodyAsync(request.Body, maxBytes, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return (null, problem);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(buffer.AsMemory(0, length), ParseOptions);
        }
        catch (JsonException e)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            // The reader's own message can quote a character of the body; say where instead.
            return (null, new ReadProblem(StatusCodes.Status400BadRequest,
                length == 0 ? "the body is empty; expected an AdmissionReview"
                : $"the body is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})"));
        }

        var (admission, error) = ReadRequest(document.RootElement);
        if (admission is null)
        {
            document.Dispose();
            ArrayPool<byte>.Shared.Return(buffer);
            return (null, new ReadProblem(StatusCodes.Status400BadRequest, error!));
        }

        return (new ParsedReview(document, buffer, admission), null);
    }

    /// <summary>Reads the request out of a parsed review; returns the problem when a required field is missing or wrong.</summary>
    public static (AdmissionRequest? Request, string? Problem) ReadRequest(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return (null, "the body is not an AdmissionReview: expected a JSON object");
        }

        var apiVersion = String(root, "apiVersion");
        if (apiVersion is not ("admission.k8s.io/v1" or "admission.k8s.io/v1beta1"))
        {
            return (null, "apiVersion must be admission.k8s.io/v1 (or v1beta1)");
        }

        if (String(root, "kind") != "AdmissionReview")
        {
            return (null, "kind must be AdmissionReview");
        }

        if (!root.TryGetProperty("request", out var request) || request.ValueKind != JsonValueKind.Object)
        {
            return (null, "the AdmissionReview has no request object");
        }

        if (String(request, "uid") is not { Length: > 0 } uid)
        {
            return (null, "request.uid is missing or not a string");
        }

        if (!request.TryGetProperty("kind", out var gvk) || gvk.ValueKind != JsonValueKind.Object || String(gvk, "kind") is not { Length: > 0 } kind)
        {
            return (null, "request.kind.kind is missing or not a string");
        }

        var operation = String(request, "operation");
        if (operation is not ("CREATE" or "UPDATE" or "DELETE" or "CONNECT"))
        {
            return (null, "request.operation must be CREATE, UPDATE, DELETE or CONNECT");
        }

        foreach (var field in (ReadOnlySpan<string>)["name", "namespace", "subResource"])
        {
            if (request.TryGetProperty(field, out var value) && value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
            {
                return (null, $"request.{field} must be a string");
            }
        }

        var obj = Element(request, "object");
        var old = Element(request, "oldObject");
        if (obj.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Object) || old.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Object))
        {
            return (null, "request.object and request.oldObject must be objects or null");
        }

        return (new AdmissionRequest
        {
            ApiVersion = apiVersion,
            Uid = uid,
            Group = String(gvk, "group") ?? string.Empty,
            Version = String(gvk, "version") ?? string.Empty,
            Kind = kind,
            SubResource = String(request, "subResource") ?? string.Empty,
            Name = String(request, "name"),
            Namespace = String(request, "namespace"),
            Operation = operation,
            User = request.TryGetProperty("userInfo", out var user) && user.ValueKind == JsonValueKind.Object ? String(user, "username") : null,
            DryRun = request.TryGetProperty("dryRun", out var dryRun) && dryRun.ValueKind == JsonValueKind.True,
            Object = obj,
            OldObject = old,
        }, null);
    }

    private static async ValueTask<(byte[] Buffer, int Length, ReadProblem? Problem)> ReadBodyAsync(Stream body, long maxBytes, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, maxBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return (buffer, length, null);
                }

                length += read;
                if (length > maxBytes)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return ([], 0, TooLarge(maxBytes));
                }
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return ([], 0, TooLarge(maxBytes));
        }
    }

    private static ReadProblem TooLarge(long maxBytes) =>
        new(StatusCodes.Status413PayloadTooLarge, $"the body is larger than the limit of {maxBytes} bytes");

    private static bool IsJson(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return false;
        }

        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        var media = (semicolon < 0 ? contentType : contentType[..semicolon]).AsSpan().Trim();
        return media.Equals("application/json", StringComparison.OrdinalIgnoreCase);
    }

    private static string Printable(string text)
    {
        var shown = text.Length > 64 ? text[..64] + "..." : text;
        return string.Concat(shown.Select(c => char.IsControl(c) ? '?' : c));
    }

    private static string? String(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static JsonElement Element(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : default;
}
