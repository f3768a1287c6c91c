using System.Text.Json;

namespace PolicyWebhook.Provenance.Formats;

/// <summary>Reads the JSON of registry artifacts without ever throwing: what does not parse simply does not count.</summary>
internal static class Json
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { MaxDepth = 64 };

    /// <summary>The document as <typeparamref name="T"/>; null when it is not JSON or not of that shape.</summary>
    public static T? Read<T>(ReadOnlySpan<byte> utf8)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(utf8, Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Standard base64 decoded; null when it is not base64.</summary>
    public static byte[]? Base64(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        var bytes = new byte[text.Length * 3 / 4];
        return Convert.TryFromBase64String(text, bytes, out var written) ? bytes[..written] : null;
    }

    /// <summary>Base64url without padding (JWS) decoded; empty when it is not base64url, which no JSON reader accepts.</summary>
    public static byte[] Base64Url(string? text)
    {
        try
        {
            return text is null ? [] : System.Buffers.Text.Base64Url.DecodeFromChars(text);
        }
        catch (FormatException)
        {
            return [];
        }
    }

    /// <summary>The property of an object, or null when the element is not an object or lacks it.</summary>
    public static JsonElement? Property(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value : null;

    /// <summary>The element's text when it is a JSON string.</summary>
    public static string? Text(this JsonElement? element) =>
        element is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;
}
