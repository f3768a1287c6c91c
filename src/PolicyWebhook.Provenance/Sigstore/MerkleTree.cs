using System.Security.Cryptography;

namespace PolicyWebhook.Provenance.Sigstore;

/// <summary>RFC 6962 / RFC 9162 Merkle tree hashing, and the check that an audit path leads from a leaf to a root.</summary>
public static class MerkleTree
{
    /// <summary>The hash of a leaf: SHA-256 of 0x00 and the entry.</summary>
    public static byte[] LeafHash(ReadOnlySpan<byte> entry)
    {
        var buffer = new byte[entry.Length + 1];
        entry.CopyTo(buffer.AsSpan(1));
        return SHA256.HashData(buffer);
    }

    /// <summary>The hash of an inner node: SHA-256 of 0x01, the left child and the right child.</summary>
    public static byte[] NodeHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        var buffer = new byte[1 + left.Length + right.Length];
        buffer[0] = 1;
        left.CopyTo(buffer.AsSpan(1));
        right.CopyTo(buffer.AsSpan(1 + left.Length));
        return SHA256.HashData(buffer);
    }

    /// <summary>
    /// The root an inclusion proof leads to (RFC 9162 §2.1.3.2) for the leaf hash at <paramref name="index"/> of a tree of
    /// <paramref name="size"/> leaves; null when the path has the wrong length for that position.
    /// </summary>
    public static byte[]? RootFromInclusionProof(long index, long size, byte[] leafHash, IReadOnlyList<byte[]> path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (index < 0 || index >= size)
        {
            return null;
        }

        var fn = index;
        var sn = size - 1;
        var r = leafHash;
        foreach (var p in path)
        {
            if (sn == 0)
            {
                return null;
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                r = NodeHash(p, r);
                if ((fn & 1) == 0)
                {
                    while ((fn & 1) == 0 && fn != 0)
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            }
            else
            {
                r = NodeHash(r, p);
            }

            fn >>= 1;
            sn >>= 1;
        }

        return sn == 0 ? r : null;
    }

    /// <summary>True when the path proves the leaf at <paramref name="index"/> is in the tree of that size and root.</summary>
    public static bool VerifyInclusion(long index, long size, byte[] leafHash, IReadOnlyList<byte[]> path, ReadOnlySpan<byte> root) =>
        RootFromInclusionProof(index, size, leafHash, path) is { } computed && CryptographicOperations.FixedTimeEquals(computed, root);
}
