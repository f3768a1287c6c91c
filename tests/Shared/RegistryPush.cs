using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace PolicyWebhook.Tests.Shared;

/// <summary>
/// Pushes blobs and manifests to a registry over plain HTTP with the distribution API (a monolithic upload: POST, then
/// PUT with the digest), as a client such as cosign or crane does: for tests and benchmarks that sign images of their
/// own. A registry on loopback answers at once, so nothing here is cancelled.
/// </summary>
internal sealed class RegistryPush(string host) : IDisposable
{
    public const string ManifestType = "application/vnd.oci.image.manifest.v1+json";

    private readonly HttpClient _http = new() { BaseAddress = new Uri($"http://{host}") };

    /// <summary>Uploads a blob and returns its digest.</summary>
    public async Task<string> BlobAsync(string repository, byte[] bytes)
    {
        var digest = Digest(bytes);
        using var started = await _http.PostAsync(new Uri($"/v2/{repository}/blobs/uploads/", UriKind.Relative), null, CancellationToken.None);
        started.EnsureSuccessStatusCode();
        var location = started.Headers.Location!.ToString();
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var upload = new Uri(location + (location.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "digest=" + Uri.EscapeDataString(digest), UriKind.RelativeOrAbsolute);
        using var put = await _http.PutAsync(upload, content, CancellationToken.None);
        put.EnsureSuccessStatusCode();
        return digest;
    }

    /// <summary>Stores a manifest under a tag and returns its digest.</summary>
    public async Task<string> ManifestAsync(string repository, string tag, JsonObject manifest)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(manifest.ToJsonString());
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue((string?)manifest["mediaType"] ?? ManifestType);
        using var put = await _http.PutAsync(new Uri($"/v2/{repository}/manifests/{tag}", UriKind.Relative), content, CancellationToken.None);
        put.EnsureSuccessStatusCode();
        return Digest(bytes);
    }

    /// <summary>An image of its own: an empty config and one small layer, under <paramref name="tag"/>; returns its digest.</summary>
    public async Task<string> ImageAsync(string repository, string tag)
    {
        var config = await BlobAsync(repository, "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"u8.ToArray());
        var layer = await BlobAsync(repository, System.Text.Encoding.UTF8.GetBytes($"{repository}:{tag}"));
        return await ManifestAsync(repository, tag, Manifest(
            Descriptor("application/vnd.oci.image.config.v1+json", config, 68),
            [Descriptor("application/vnd.oci.image.layer.v1.tar", layer, repository.Length + tag.Length + 1)]));
    }

    public static JsonObject Manifest(JsonObject config, IEnumerable<JsonObject> layers, JsonObject? annotations = null)
    {
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = ManifestType,
            ["config"] = config,
            ["layers"] = new JsonArray([.. layers]),
        };
        if (annotations is not null)
        {
            manifest["annotations"] = annotations;
        }

        return manifest;
    }

    public static JsonObject Descriptor(string mediaType, string digest, long size) => new() { ["mediaType"] = mediaType, ["digest"] = digest, ["size"] = size };

    public static string Digest(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    public void Dispose() => _http.Dispose();
}
