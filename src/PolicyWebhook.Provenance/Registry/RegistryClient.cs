using System.Net;
using System.Text.Json;

namespace PolicyWebhook.Provenance.Registry;

/// <summary>
/// The OCI distribution client image verification uses at admission: manifests, blobs and referrers over HTTPS
/// (plain HTTP only for <see cref="RegistryOptions.InsecureRegistries"/>), anonymous or with the docker config's
/// credentials, every answer checked against its digest and read up to a cap. Give it an <see cref="HttpClient"/>
/// whose handler does not follow redirects (<see cref="CreateHandler"/>): the client follows them itself.
/// </summary>
public sealed class RegistryClient : IRegistry
{
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";

    private const string ManifestAccept = $"{OciManifest}, {OciIndex}, {DockerManifest}, {DockerManifestList}";

    private readonly RegistryHttp _http;
    private readonly RegistryOptions _options;
    private readonly RegistryAuthenticator _authenticator;

    public RegistryClient(HttpClient httpClient, RegistryOptions options, DockerConfigCredentials? credentials = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        _http = new RegistryHttp(httpClient);
        _options = options;
        _authenticator = new RegistryAuthenticator(_http, options, credentials ?? DockerConfigCredentials.Empty, timeProvider ?? TimeProvider.System);
    }

    /// <summary>The handler the client expects: no automatic redirects or decompression, a bounded connect.</summary>
    public static SocketsHttpHandler CreateHandler() => new()
    {
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        MaxResponseHeadersLength = 64,
    };

    public async Task<RegistryManifest?> GetManifestAsync(string registry, string repository, string reference, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        var byDigest = Digests.IsDigest(reference);
        if (byDigest)
        {
            Digests.Validate(reference);
        }
        else
        {
            RegistryCall.ValidateTag(reference);
        }

        var call = RegistryCall.Create(registry, repository, "manifest " + reference, _options);
        using var response = await GetAsync(call, "manifests/" + reference, ManifestAccept, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        var bytes = await ReadOkAsync(call, response, _options.MaxManifestBytes,
            $"manifest of {call.Registry}/{call.Repository}{(byDigest ? "@" : ":")}{reference}", cancellationToken).ConfigureAwait(false);
        var digest = byDigest ? Checked(call, reference, bytes) : Digests.Sha256(bytes);
        return new RegistryManifest(digest, MediaTypeOf(response, bytes), bytes);
    }

    public async Task<ReadOnlyMemory<byte>> GetBlobAsync(string registry, string repository, string digest, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(digest);
        Digests.Validate(digest);
        var call = RegistryCall.Create(registry, repository, "blob " + digest, _options);
        using var response = await GetAsync(call, "blobs/" + digest, "*/*", cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            // A blob a manifest lists but the registry lacks is content refused: that artifact does not count.
            throw new RegistryContentException($"registry {call.Registry} has no {call.What} in {call.Repository} (404 Not Found)");
        }

        var bytes = await ReadOkAsync(call, response, _options.MaxBlobBytes, $"blob {digest} of {call.Registry}/{call.Repository}", cancellationToken)
            .ConfigureAwait(false);
        Checked(call, digest, bytes);
        return bytes;
    }

    public async Task<RegistryManifest?> GetReferrersAsync(string registry, string repository, string digest, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(digest);
        Digests.Validate(digest);
        var call = RegistryCall.Create(registry, repository, "referrers of " + digest, _options);
        using (var response = await GetAsync(call, "referrers/" + digest, OciIndex, cancellationToken).ConfigureAwait(false))
        {
            // The referrers API answers an OCI index; a registry without it answers 404 or, behind some proxies, a page.
            if (response.StatusCode == HttpStatusCode.OK && response.Content.Headers.ContentType?.MediaType == OciIndex)
            {
                var bytes = await ReadOkAsync(call, response, _options.MaxManifestBytes,
                    $"referrers index of {call.Registry}/{call.Repository}@{digest}", cancellationToken).ConfigureAwait(false);
                return ListsAny(call, bytes) ? new RegistryManifest(Digests.Sha256(bytes), OciIndex, bytes) : null;
            }

            if (response.StatusCode is not (HttpStatusCode.NotFound or HttpStatusCode.OK))
            {
                throw RegistryHttp.Unexpected(call, response);
            }
        }

        // The referrers tag schema: the tag sha256-<hex> holds the index of the digest's referrers.
        var tagged = await GetManifestAsync(registry, repository, Digests.ReferrersTag(digest), cancellationToken).ConfigureAwait(false);
        return tagged is not null && tagged.MediaType == OciIndex && ListsAny(call, tagged.Bytes.ToArray()) ? tagged : null;
    }

    /// <summary>A GET that answers the registry's 401 challenge once, then sends what it asked for.</summary>
    private async Task<HttpResponseMessage> GetAsync(RegistryCall call, string path, string accept, CancellationToken cancellationToken)
    {
        var uri = new Uri(call.Base, path);
        var response = await _http.GetAsync(call, uri, accept, _authenticator.Known(call), call.IsRegistryHost, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized || !call.IsRegistryHost(response.RequestMessage?.RequestUri))
        {
            return response;
        }

        using (response)
        {
            var authorization = await _authenticator.AnswerAsync(call, response, cancellationToken).ConfigureAwait(false);
            var retried = await _http.GetAsync(call, uri, accept, authorization, call.IsRegistryHost, cancellationToken).ConfigureAwait(false);
            if (retried.StatusCode == HttpStatusCode.Unauthorized)
            {
                retried.Dispose();
                throw _authenticator.Refused(call, authorization);
            }

            return retried;
        }
    }

    private static Task<byte[]> ReadOkAsync(RegistryCall call, HttpResponseMessage response, long cap, string what, CancellationToken cancellationToken) =>
        response.StatusCode == HttpStatusCode.OK
            ? RegistryHttp.ReadAsync(call, response, cap, $"{what} is over the {RegistryHttp.Size(cap)} cap", cancellationToken)
            : throw RegistryHttp.Unexpected(call, response);

    /// <summary><paramref name="digest"/> when the bytes have it; otherwise the registry served other content.</summary>
    private static string Checked(RegistryCall call, string digest, byte[] bytes)
    {
        var actual = Digests.Compute(digest, bytes);
        return actual == digest
            ? digest
            : throw new RegistryContentException($"registry {call.Registry} served other content for {call.Subject}: the bytes it sent have digest {actual}");
    }

    /// <summary>The answer's Content-Type, or where that is generic, the <c>mediaType</c> the JSON declares.</summary>
    private static string MediaTypeOf(HttpResponseMessage response, byte[] bytes)
    {
        var declared = response.Content.Headers.ContentType?.MediaType;
        if (declared is not (null or "application/json" or "application/octet-stream" or "text/plain"))
        {
            return declared;
        }

        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            return root.ValueKind != JsonValueKind.Object ? declared ?? "application/octet-stream"
                : root.TryGetProperty("mediaType", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString()!
                : root.TryGetProperty("manifests", out _) ? OciIndex
                : OciManifest;
        }
        catch (JsonException)
        {
            return declared ?? "application/octet-stream";
        }
    }

    /// <summary>True when a referrers index lists at least one manifest; throws when it is not an index at all.</summary>
    private static bool ListsAny(RegistryCall call, byte[] index)
    {
        try
        {
            using var document = JsonDocument.Parse(index);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("manifests", out var manifests)
                && manifests.ValueKind == JsonValueKind.Array
                && manifests.GetArrayLength() > 0;
        }
        catch (JsonException e)
        {
            throw new RegistryContentException($"registry {call.Registry} served {call.Subject} that is not JSON", e);
        }
    }
}
