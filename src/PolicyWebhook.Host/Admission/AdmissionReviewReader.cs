using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;

namespace PolicyWebhook.Host.Admission;

/// <summary>Why a body was refused before it reached a handler: the HTTP status and a message that says what is wrong.</summary>
public sealed record ReadProblem(int Status, string Message)
{
    /// <summary>
    /// The body was not read to its end, so the connection cannot carry another request: an HTTP/1.1 answer says
    /// <c>Connection: close</c>, and a keep-alive client opens a new connection instead of finding this one gone.
    /// </summary>
    public bool CloseConnection { get; init; }
}

/// <summary>A parsed AdmissionReview body. Dispose it after the answer is written: it returns its buffer to the pool.</summary>
public sealed class ParsedReview : IDisposable
{
    private byte[]? _buffer;

    private readonly int _length;

    internal ParsedReview(byte[] buffer, int length, AdmissionRequest request)
    {
        _buffer = buffer;
        _length = length;
        Request = request;
    }

    public AdmissionRequest Request { get; }

    public void Dispose()
    {
        Request.Dispose();
        if (_buffer is not null)
        {
            AdmissionReviewReader.Return(_buffer, _length);
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
    /// <summary>How deep the body may nest. Kubernetes objects stay far below; the limit bounds the reader's work.</summary>
    public const int MaxDepth = 256;

    /// <summary>
    /// A body over the limit by up to this many times the limit is read to its end and dropped, so that its
    /// connection stays open for the next request; a larger one is not read, and its connection is closed.
    /// </summary>
    public const int DrainFactor = 4;

    /// <summary>Reads and parses the body; exactly one of the two results is set.</summary>
    public static async ValueTask<(ParsedReview? Review, ReadProblem? Problem)> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!IsJson(request.ContentType))
        {
            return (null, new ReadProblem(StatusCodes.Status415UnsupportedMediaType,
                $"an AdmissionReview must be sent as application/json, not {(string.IsNullOrEmpty(request.ContentType) ? "without a content type" : Printable(request.ContentType))}")
            {
                // The server drains an unread body within its limit after the answer; a larger or unknown one, maybe not.
                CloseConnection = !(request.ContentLength <= maxBytes),
            });
        }

        // The server's own limit is raised to the drain bound: this reader refuses what passes maxBytes itself.
        var drainBytes = maxBytes * DrainFactor;
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = drainBytes;
        }

        if (request.ContentLength > maxBytes)
        {
            var drained = request.ContentLength <= drainBytes && await DrainAsync(request.Body, drainBytes, cancellationToken).ConfigureAwait(false);
            return (null, TooLarge(maxBytes) with { CloseConnection = !drained });
        }

        var (buffer, length, problem) = await ReadBodyAsync(request.Body, maxBytes, drainBytes, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return (null, problem);
        }

        var returned = true;
        try
        {
            var (admission, error) = ReadRequest(buffer.AsMemory(0, length));
            if (admission is null)
            {
                return (null, new ReadProblem(StatusCodes.Status400BadRequest, error!));
            }

            returned = false;
            return (new ParsedReview(buffer, length, admission), null);
        }
        finally
        {
            if (returned)
            {
                Return(buffer, length);
            }
        }
    }

    /// <summary>
    /// Reads the request out of a review body in one pass, keeping the objects as slices of the body for the
    /// handlers to decode. Returns the problem when the body is not JSON or a required field is missing or wrong.
    /// </summary>
    /// <remarks>
    /// <c>metadata.managedFields</c> (40% of what the API server sends, and read by no check) is cut out of the
    /// objects' bytes in place while the reader passes over it, so nothing downstream tokenises it again: the body
    /// is changed.
    /// </remarks>
    public static (AdmissionRequest? Request, string? Problem) ReadRequest(Memory<byte> body)
    {
        if (body.IsEmpty)
        {
            return (null, "the body is empty; expected an AdmissionReview");
        }

        var reader = new Utf8JsonReader(body.Span, new JsonReaderOptions { MaxDepth = MaxDepth });
        try
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                Finish(ref reader);
                return (null, "the body is not an AdmissionReview: expected a JSON object");
            }

            string? apiVersion = null, kind = null;
            Fields? request = null;
            var requestIsObject = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("apiVersion"u8))
                {
                    apiVersion = ReadString(ref reader);
                }
                else if (reader.ValueTextEquals("kind"u8))
                {
                    kind = ReadString(ref reader);
                }
                else if (reader.ValueTextEquals("request"u8))
                {
                    reader.Read();
                    requestIsObject = reader.TokenType == JsonTokenType.StartObject;
                    request = requestIsObject ? ReadFields(ref reader) : null;
                    if (!requestIsObject)
                    {
                        reader.Skip();
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            Finish(ref reader);
            request?.CutManagedFields(body);
            return Validate(apiVersion, kind, request, body);
        }
        catch (JsonException e)
        {
            // The reader's own message can quote a character of the body; say where instead.
            return (null, $"the body is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})");
        }
        catch (InvalidOperationException)
        {
            // GetString on a string that is not valid UTF-8, or holds a lone surrogate such as "\ud800".
            return (null, "a string in the body is not valid text (invalid UTF-8 or a lone surrogate escape)");
        }
    }

    private static (AdmissionRequest?, string?) Validate(string? apiVersion, string? kind, Fields? f, Memory<byte> body)
    {
        if (apiVersion is not ("admission.k8s.io/v1" or "admission.k8s.io/v1beta1"))
        {
            return (null, "apiVersion must be admission.k8s.io/v1 (or v1beta1)");
        }

        if (kind != "AdmissionReview")
        {
            return (null, "kind must be AdmissionReview");
        }

        if (f is null)
        {
            return (null, "the AdmissionReview has no request object");
        }

        if (f.Uid is not { Length: > 0 } uid)
        {
            return (null, "request.uid is missing or not a string");
        }

        if (f.Kind is not { Length: > 0 } objectKind)
        {
            return (null, "request.kind.kind is missing or not a string");
        }

        if (f.Operation is not ("CREATE" or "UPDATE" or "DELETE" or "CONNECT"))
        {
            return (null, "request.operation must be CREATE, UPDATE, DELETE or CONNECT");
        }

        if (f.Problem is not null)
        {
            return (null, f.Problem);
        }

        return (new AdmissionRequest
        {
            ApiVersion = apiVersion,
            Uid = uid,
            Group = f.Group ?? string.Empty,
            Version = f.Version ?? string.Empty,
            Kind = objectKind,
            SubResource = f.SubResource ?? string.Empty,
            Name = f.Name,
            Namespace = f.Namespace,
            Operation = f.Operation,
            User = f.User,
            DryRun = f.DryRun,
            ObjectJson = f.Object is { } o ? body[o] : ReadOnlyMemory<byte>.Empty,
            OldObjectJson = f.OldObject is { } old ? body[old] : ReadOnlyMemory<byte>.Empty,
        }, null);
    }

    private static Fields ReadFields(ref Utf8JsonReader reader)
    {
        var f = new Fields();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("uid"u8))
            {
                f.Uid = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("kind"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        if (reader.ValueTextEquals("group"u8))
                        {
                            f.Group = ReadString(ref reader);
                        }
                        else if (reader.ValueTextEquals("version"u8))
                        {
                            f.Version = ReadString(ref reader);
                        }
                        else if (reader.ValueTextEquals("kind"u8))
                        {
                            f.Kind = ReadString(ref reader);
                        }
                        else
                        {
                            reader.Read();
                            reader.Skip();
                        }
                    }
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("operation"u8))
            {
                f.Operation = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("name"u8))
            {
                f.Name = ReadOptionalString(ref reader, "request.name must be a string", f);
            }
            else if (reader.ValueTextEquals("namespace"u8))
            {
                f.Namespace = ReadOptionalString(ref reader, "request.namespace must be a string", f);
            }
            else if (reader.ValueTextEquals("subResource"u8))
            {
                f.SubResource = ReadOptionalString(ref reader, "request.subResource must be a string", f);
            }
            else if (reader.ValueTextEquals("userInfo"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        if (reader.ValueTextEquals("username"u8))
                        {
                            f.User = ReadString(ref reader);
                        }
                        else
                        {
                            reader.Read();
                            reader.Skip();
                        }
                    }
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("dryRun"u8))
            {
                reader.Read();
                f.DryRun = reader.TokenType == JsonTokenType.True;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("object"u8))
            {
                reader.Read();
                f.Object = ReadObject(ref reader, f);
            }
            else if (reader.ValueTextEquals("oldObject"u8))
            {
                reader.Read();
                f.OldObject = ReadObject(ref reader, f);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return f;
    }

    /// <summary>Keeps the object as a slice of the body, noting where its <c>metadata.managedFields</c> is. (Decoding
    /// it here would not save a pass: the serializer reads ahead to the end of a value before it decodes it.)</summary>
    private static Range? ReadObject(ref Utf8JsonReader reader, Fields f)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            f.Problem ??= "request.object and request.oldObject must be objects or null";
            return null;
        }

        var start = (int)reader.TokenStartIndex;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var metadata = reader.ValueTextEquals("metadata"u8);
            reader.Read();
            if (metadata && reader.TokenType == JsonTokenType.StartObject)
            {
                FindManagedFields(ref reader, f);
            }
            else
            {
                reader.Skip();
            }
        }

        return start..(int)reader.BytesConsumed;
    }

    /// <summary>
    /// Walks a metadata object and notes each <c>managedFields</c> member with one of its commas, so that cutting
    /// those bytes leaves valid JSON: <c>,"managedFields":[...]</c>, or <c>"managedFields":[...],</c> when it is first.
    /// </summary>
    private static void FindManagedFields(ref Utf8JsonReader reader, Fields f)
    {
        var previousEnd = -1;
        var pending = -1;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var nameStart = (int)reader.TokenStartIndex;
            if (pending >= 0)
            {
                // This member is now the first: a managedFields here is cut with the comma after it too.
                f.AddCut(pending, nameStart);
                pending = -1;
                previousEnd = -1;
            }

            var managedFields = reader.ValueTextEquals("managedFields"u8);
            reader.Read();
            reader.Skip();
            var end = (int)reader.BytesConsumed;
            if (managedFields && previousEnd < 0)
            {
                pending = nameStart;
            }
            else if (managedFields)
            {
                f.AddCut(previousEnd, end);
            }

            previousEnd = end;
        }

        if (pending >= 0)
        {
            f.AddCut(pending, previousEnd);
        }
    }

    private static string? ReadString(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString();
        }

        reader.Skip();
        return null;
    }

    private static string? ReadOptionalString(ref Utf8JsonReader reader, string problem, Fields f)
    {
        reader.Read();
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return reader.GetString();
            case JsonTokenType.Null:
                return null;
            default:
                f.Problem ??= problem;
                reader.Skip();
                return null;
        }
    }

    /// <summary>Reads to the end, so trailing content is an error like any other.</summary>
    private static void Finish(ref Utf8JsonReader reader)
    {
        while (reader.Read())
        {
        }
    }

    private sealed class Fields
    {
        public string? Uid { get; set; }

        public string? Group { get; set; }

        public string? Version { get; set; }

        public string? Kind { get; set; }

        public string? Operation { get; set; }

        public string? Name { get; set; }

        public string? Namespace { get; set; }

        public string? SubResource { get; set; }

        public string? User { get; set; }

        public bool DryRun { get; set; }

        /// <summary>Where the object is in the body; null when it is null.</summary>
        public Range? Object { get; set; }

        public Range? OldObject { get; set; }

        /// <summary>The first wrong type seen among the optional fields.</summary>
        public string? Problem { get; set; }

        /// <summary>The byte ranges of the body to cut, in order: each <c>managedFields</c> member with a comma.</summary>
        private List<(int Start, int End)>? Cuts { get; set; }

        public void AddCut(int start, int end) => (Cuts ??= []).Add((start, end));

        /// <summary>Moves the bytes after each cut down over it, and the objects' slices with them.</summary>
        public void CutManagedFields(Memory<byte> body)
        {
            if (Cuts is null || Problem is not null)
            {
                return;
            }

            var span = body.Span;
            var end = Math.Max(Object?.End.Value ?? 0, OldObject?.End.Value ?? 0);
            var write = Cuts[0].Start;
            for (var i = 0; i < Cuts.Count; i++)
            {
                var next = i + 1 < Cuts.Count ? Cuts[i + 1].Start : end;
                span[Cuts[i].End..next].CopyTo(span[write..]);
                write += next - Cuts[i].End;
            }

            Object = Moved(Object);
            OldObject = Moved(OldObject);
        }

        private Range? Moved(Range? range) =>
            range is { } r ? (r.Start.Value - CutBefore(r.Start.Value))..(r.End.Value - CutBefore(r.End.Value)) : null;

        private int CutBefore(int position)
        {
            var cut = 0;
            foreach (var (start, end) in Cuts!)
            {
                if (end <= position)
                {
                    cut += end - start;
                }
            }

            return cut;
        }
    }

    private static async ValueTask<(byte[] Buffer, int Length, ReadProblem? Problem)> ReadBodyAsync(Stream body, long maxBytes, long drainBytes, CancellationToken cancellationToken)
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
                    Return(buffer, length);
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
                    Return(buffer, length);
                    (buffer, length) = ([], 0);
                    var drained = await DrainAsync(body, drainBytes - length, cancellationToken).ConfigureAwait(false);
                    return ([], 0, TooLarge(maxBytes) with { CloseConnection = !drained });
                }
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            Return(buffer, length);
            return ([], 0, TooLarge(maxBytes) with { CloseConnection = true });
        }
        catch
        {
            Return(buffer, length);
            throw;
        }
    }

    /// <summary>Reads the rest of a body and drops it; true when it ended within <paramref name="maxBytes"/>.</summary>
    private static async ValueTask<bool> DrainAsync(Stream body, long maxBytes, CancellationToken cancellationToken)
    {
        var scratch = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            for (long total = 0; total <= maxBytes;)
            {
                var read = await body.ReadAsync(scratch, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return true;
                }

                total += read;
            }

            return false;
        }
        catch (BadHttpRequestException)
        {
            return false; // over the server's own limit, or a broken body: the connection cannot go on
        }
        finally
        {
            Return(scratch, scratch.Length);
        }
    }

    /// <summary>Wipes what the body left in a pooled buffer (it may hold a secret) and gives the buffer back.</summary>
    internal static void Return(byte[] buffer, int length)
    {
        if (buffer.Length == 0)
        {
            return; // already given back
        }

        buffer.AsSpan(0, Math.Min(length, buffer.Length)).Clear();
        ArrayPool<byte>.Shared.Return(buffer);
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
}
