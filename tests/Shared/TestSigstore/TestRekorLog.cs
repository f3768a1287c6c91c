using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace PolicyWebhook.Tests.Shared;

/// <summary>
/// An entry of a <see cref="TestRekorLog"/>: its index (across shards, as the SET signs it) and integrated time, the
/// canonicalized body, the SET, and the inclusion proof (index in the shard's tree, tree size, root, path) in the tree
/// just after it was appended, with that tree's signed checkpoint.
/// </summary>
internal sealed record TestLogEntry(
    long LogIndex,
    long TreeIndex,
    long IntegratedTime,
    byte[] Body,
    byte[] SignedEntryTimestamp,
    long TreeSize,
    byte[] RootHash,
    IReadOnlyList<byte[]> Hashes,
    string Checkpoint);

/// <summary>
/// A Rekor v1-like transparency log for tests, in memory: a P-256 log key, its log id (SHA-256 of the
/// SubjectPublicKeyInfo DER), an RFC 6962 Merkle tree of the entries' bodies, SETs and signed-note checkpoints.
/// Appending is safe from several threads. Hashing is written here from RFC 6962 rather than taken from the product, so a bug there is not mirrored here.
/// </summary>
internal sealed class TestRekorLog : IDisposable
{
    // Rekor v1 names its checkpoints "<host> - <tree id>".
    private const long TreeId = 1193050959916656506;

    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly List<byte[]> _leafHashes = [];
    private readonly Lock _lock = new();

    /// <summary>
    /// A log at <paramref name="baseUrl"/> holding <paramref name="fillerEntries"/> entries already, so proofs have a path,
    /// whose shard's entries are numbered from <paramref name="shardOffset"/> (Rekor v1's log index counts the entries of
    /// earlier shards; the inclusion proof's index is within the shard's tree).
    /// </summary>
    public TestRekorLog(string baseUrl, int fillerEntries = 5, long shardOffset = 0)
    {
        BaseUrl = baseUrl;
        ShardOffset = shardOffset;
        PublicKeyDer = _key.ExportSubjectPublicKeyInfo();
        LogId = SHA256.HashData(PublicKeyDer);
        for (var i = 0; i < fillerEntries; i++)
        {
            _leafHashes.Add(LeafHash(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{{\"filler\":{i}}}"))));
        }
    }

    public string BaseUrl { get; }

    /// <summary>What the shard's tree index is offset by in an entry's log index.</summary>
    public long ShardOffset { get; }

    /// <summary>The name the log signs checkpoints with: its base URL's host.</summary>
    public string NoteName => new Uri(BaseUrl).Authority;

    /// <summary>The checkpoints' origin line.</summary>
    public string Origin => string.Create(CultureInfo.InvariantCulture, $"{NoteName} - {TreeId}");

    /// <summary>The log key's SubjectPublicKeyInfo DER.</summary>
    public byte[] PublicKeyDer { get; }

    /// <summary>The log id: SHA-256 of <see cref="PublicKeyDer"/>.</summary>
    public byte[] LogId { get; }

    /// <summary>
    /// Appends <paramref name="body"/> integrated at <paramref name="integratedTime"/>; the SET is signed with
    /// <paramref name="setKey"/> when given (a rogue key), with the log's key otherwise.
    /// </summary>
    public TestLogEntry Append(byte[] body, DateTimeOffset integratedTime, ECDsa? setKey = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        var time = integratedTime.ToUnixTimeSeconds();
        lock (_lock)
        {
            var index = _leafHashes.Count;
            _leafHashes.Add(LeafHash(body));
            var set = (setKey ?? _key).SignData(SetPayload(body, time, ShardOffset + index), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
            var size = _leafHashes.Count;
            var root = TreeHash(0, size);
            return new TestLogEntry(ShardOffset + index, index, time, body, set, size, root, InclusionPath(index, 0, size), Checkpoint(size, root));
        }
    }

    /// <summary>The bytes a SET signs: canonical JSON of the body (base64), integrated time, log id (hex) and index.</summary>
    public byte[] SetPayload(byte[] body, long integratedTime, long logIndex) => Encoding.UTF8.GetBytes(string.Create(
        CultureInfo.InvariantCulture,
        $"{{\"body\":\"{Convert.ToBase64String(body)}\",\"integratedTime\":{integratedTime},\"logID\":\"{Convert.ToHexStringLower(LogId)}\",\"logIndex\":{logIndex}}}"));

    /// <summary>A signed checkpoint (signed note) of the tree of <paramref name="size"/> with that root.</summary>
    public string Checkpoint(long size, byte[] rootHash)
    {
        var note = string.Create(CultureInfo.InvariantCulture, $"{Origin}\n{size}\n{Convert.ToBase64String(rootHash)}\n");
        var signature = _key.SignData(Encoding.UTF8.GetBytes(note), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        return $"{note}\n\u2014 {NoteName} {Convert.ToBase64String([.. LogId.AsSpan(0, 4), .. signature])}\n";
    }

    public void Dispose() => _key.Dispose();

    private static byte[] LeafHash(byte[] entry) => SHA256.HashData([0, .. entry]);

    private static byte[] NodeHash(byte[] left, byte[] right) => SHA256.HashData([1, .. left, .. right]);

    // The largest power of two smaller than n (n > 1), where RFC 6962 splits a tree.
    private static int Split(int n)
    {
        var k = 1;
        while (k << 1 < n)
        {
            k <<= 1;
        }

        return k;
    }

    // MTH(D[start:start+n]), RFC 6962 §2.1.
    private byte[] TreeHash(int start, int n)
    {
        if (n == 1)
        {
            return _leafHashes[start];
        }

        var k = Split(n);
        return NodeHash(TreeHash(start, k), TreeHash(start + k, n - k));
    }

    // PATH(m, D[start:start+n]), RFC 6962 §2.1.1, leaf to root.
    private List<byte[]> InclusionPath(int m, int start, int n)
    {
        if (n == 1)
        {
            return [];
        }

        var k = Split(n);
        if (m < k)
        {
            var path = InclusionPath(m, start, k);
            path.Add(TreeHash(start + k, n - k));
            return path;
        }

        var right = InclusionPath(m - k, start + k, n - k);
        right.Add(TreeHash(start, k));
        return right;
    }
}
