using System.Net;
using System.Net.Http.Headers;

namespace PolicyWebhook.Provenance.Registry;

/// <summary>
/// GET requests to a registry with the client's rules: redirects followed here (at most three, never from HTTPS to
/// HTTP, Authorization only to the registry's own host), bodies read up to a cap, and transport failures turned into
/// <see cref="RegistryUnavailableException"/> naming the registry. The caller's token is never swallowed.
/// </summary>
internal sealed class RegistryHttp(HttpClient http)
{
    public const int MaxRedirects = 3;

    /// <summary>
    /// The first answer that is not a redirect. <paramref name="authorization"/> goes only to the URLs
    /// <paramref name="authorizedHost"/> accepts (the registry's own scheme, host and port), never to blob storage elsewhere.
    /// </summary>
    public async Task<HttpResponseMessage> GetAsync(
        RegistryCall call, Uri uri, string accept, AuthenticationHeaderValue? authorization, Func<Uri, bool> authorizedHost, CancellationToken cancellationToken)
    {
        for (var redirects = 0; ; redirects++)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, uri);
            request.Headers.TryAddWithoutValidation("Accept", accept);
            if (authorization is not null && authorizedHost(uri))
            {
                request.Headers.Authorization = authorization;
            }

            var response = await SendAsync(call, request, cancellationToken).ConfigureAwait(false);
            if (!IsRedirect(response.StatusCode))
            {
                return response;
            }

            var location = response.Headers.Location;
            var status = Status(response);
            response.Dispose();
            if (location is null)
            {
                throw new RegistryUnavailableException($"registry {call.Registry} answered {status} for {call.Subject} with no Location to go to");
            }

            var next = location.IsAbsoluteUri ? location : new Uri(uri, location);
            if (redirects == MaxRedirects)
            {
                throw new RegistryUnavailableException($"registry {call.Registry} redirected {call.Subject} more than {MaxRedirects} times");
            }

            if (next.Scheme != Uri.UriSchemeHttps && (uri.Scheme == Uri.UriSchemeHttps || next.Scheme != Uri.UriSchemeHttp))
            {
                throw new RegistryUnavailableException(
                    $"registry {call.Registry} redirected {call.Subject} from {uri.Scheme} to {Shown(next)}: refused, it would leave HTTPS");
            }

            uri = next;
        }
    }

    /// <summary>The body, read up to <paramref name="cap"/> bytes; over it, <paramref name="overCap"/> is the message.</summary>
    public static async Task<byte[]> ReadAsync(RegistryCall call, HttpResponseMessage response, long cap, string overCap, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength > cap)
        {
            throw new RegistryContentException(overCap);
        }

        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                using var buffer = new MemoryStream((int)Math.Min(response.Content.Headers.ContentLength ?? 16 * 1024, cap));
                var chunk = new byte[16 * 1024];
                int read;
                while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    if (buffer.Length + read > cap)
                    {
                        throw new RegistryContentException(overCap);
                    }

                    buffer.Write(chunk, 0, read);
                }

                return buffer.ToArray();
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            cancellationToken.ThrowIfCancellationRequested(); // the deadline, not the registry, ended the read
            throw new RegistryUnavailableException($"registry {call.Registry} broke off {call.Subject}: {Reason(e)}", e);
        }
    }

    /// <summary>The refusal for an answer that is neither what was asked for nor a known case.</summary>
    public static RegistryUnavailableException Unexpected(RegistryCall call, HttpResponseMessage response) =>
        new($"registry {call.Registry} answered {Status(response)} for {call.Subject}");

    /// <summary><c>500 Internal Server Error</c>.</summary>
    public static string Status(HttpResponseMessage response) =>
        $"{(int)response.StatusCode} {(string.IsNullOrWhiteSpace(response.ReasonPhrase) ? response.StatusCode.ToString() : response.ReasonPhrase)}";

    /// <summary>A size as messages give it: <c>4 MiB</c>, <c>512 KiB</c>, <c>1000 bytes</c>.</summary>
    public static string Size(long bytes) => bytes switch
    {
        >= RegistryOptions.MiB when bytes % RegistryOptions.MiB == 0 => $"{bytes / RegistryOptions.MiB} MiB",
        >= 1024 when bytes % 1024 == 0 => $"{bytes / 1024} KiB",
        _ => $"{bytes} bytes",
    };

    /// <summary>A URL without its query, which for blob storage holds a signature.</summary>
    public static string Shown(Uri uri) => uri.GetLeftPart(UriPartial.Path);

    private async Task<HttpResponseMessage> SendAsync(RegistryCall call, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var where = call.IsRegistryHost(request.RequestUri) ? $"registry {call.Registry}" : $"{request.RequestUri!.Authority}, where registry {call.Registry} redirected,";
        try
        {
            return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw new RegistryUnavailableException($"{where} could not be reached for {call.Subject}: {Reason(e)}", e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RegistryUnavailableException($"{where} did not answer for {call.Subject} within {http.Timeout.TotalSeconds:0.#} s", e);
        }
    }

    private static bool IsRedirect(HttpStatusCode status) => status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found
        or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    /// <summary>The innermost cause, as a clause: <c>connection refused</c>.</summary>
    private static string Reason(Exception e)
    {
        var inner = e;
        while (inner.InnerException is not null)
        {
            inner = inner.InnerException;
        }

        var text = inner.Message.Trim().TrimEnd('.');
        return text.Length == 0 ? e.GetType().Name : char.ToLowerInvariant(text[0]) + text[1..];
    }
}
