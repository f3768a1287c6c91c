using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PolicyWebhook.Provenance.Registry;

namespace PolicyWebhook.Provenance.Tests.Verification;

/// <summary>
/// A registry that serves the fixtures' distribution storage directly (tags under
/// <c>repositories/&lt;repo&gt;/_manifests/tags/&lt;tag&gt;/current/link</c>, blobs under <c>blobs/sha256/&lt;2&gt;/&lt;hex&gt;/data</c>),
/// referrers through the tag schema (<c>sha256-&lt;hex&gt;</c>) as distribution 2.8 has no referrers API. A test can put
/// blobs and tags of its own over it, and reads which calls were made.
/// </summary>
internal sealed class FileSystemRegistry : IRegistry
{
    private readonly IReadOnlyDictionary<string, byte[]> _storage = ProvenanceFixtures.Storage;
    private readonly ConcurrentDictionary<string, byte[]> _blobs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _tags = new(StringComparer.Ordinal);

    /// <summary>Every call made, as <c>manifest shop/app 1.0</c>, <c>blob shop/app sha256:...</c>, <c>referrers shop/app sha256:...</c>.</summary>
    public ConcurrentQueue<string> Calls { get; } = new();

    /// <summary>Stores bytes as a blob and returns their digest.</summary>
    public string PutBlob(byte[] bytes)
    {
        var digest = DigestOf(bytes);
        _blobs[digest] = bytes;
        return digest;
    }

    /// <summary>Stores a manifest and points a tag of the repository at it (replacing what the storage has); returns its digest.</summary>
    public string PutManifest(string repository, string tag, byte[] manifest)
    {
        var digest = PutBlob(manifest);
        _tags[repository + ":" + tag] = digest;
        return digest;
    }

    /// <summary>The digest a tag points at, or null.</summary>
    public string? Tag(string repository, string tag) =>
        _tags.TryGetValue(repository + ":" + tag, out var digest) ? digest
        : _storage.TryGetValue($"repositories/{repository}/_manifests/tags/{tag}/current/link", out var link) ? Encoding.ASCII.GetString(link).Trim()
        : null;

    /// <summary>A blob's bytes, or null.</summary>
    public byte[]? Blob(string digest) =>
        _blobs.TryGetValue(digest, out var bytes) ? bytes
        : digest.StartsWith("sha256:", StringComparison.Ordinal) && digest.Length == 71 && _storage.TryGetValue($"blobs/sha256/{digest[7..9]}/{digest[7..]}/data", out var data) ? data
        : null;

    public Task<RegistryManifest?> GetManifestAsync(string registry, string repository, string reference, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"manifest {repository} {reference}");
        return Task.FromResult(Manifest(repository, reference));
    }

    /// <summary>Blobs the registry serves as content the client refuses (over the cap, another digest).</summary>
    public HashSet<string> Refused { get; } = [];

    public Task<ReadOnlyMemory<byte>> GetBlobAsync(string registry, string repository, string digest, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"blob {repository} {digest}");
        if (Refused.Contains(digest))
        {
            return Task.FromException<ReadOnlyMemory<byte>>(new RegistryContentException($"blob {digest} of {repository} is over the 4 MiB cap"));
        }

        return Blob(digest) is { } bytes
            ? Task.FromResult<ReadOnlyMemory<byte>>(bytes)
            : Task.FromException<ReadOnlyMemory<byte>>(new RegistryUnavailableException($"blob {digest} not found in {repository}"));
    }

    public Task<RegistryManifest?> GetReferrersAsync(string registry, string repository, string digest, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"referrers {repository} {digest}");
        return Task.FromResult(Manifest(repository, digest.Replace(':', '-')));
    }

    public static string DigestOf(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    private RegistryManifest? Manifest(string repository, string reference)
    {
        var digest = reference.StartsWith("sha256:", StringComparison.Ordinal) ? reference : Tag(repository, reference);
        if (digest is null || Blob(digest) is not { } bytes)
        {
            return null;
        }

        return new RegistryManifest(digest, MediaTypeOf(bytes), bytes);
    }

    // What a registry sends as Content-Type: the manifest's own mediaType; nothing for a manifest that is not JSON.
    private static string MediaTypeOf(byte[] manifest)
    {
        try
        {
            using var json = JsonDocument.Parse(manifest);
            return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("mediaType", out var type) && type.ValueKind == JsonValueKind.String
                ? type.GetString()!
                : string.Empty;
        }
        catch (JsonException)
        {
            return string.Empty;
        }
    }
}
