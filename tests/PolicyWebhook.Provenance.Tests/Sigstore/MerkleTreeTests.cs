using PolicyWebhook.Provenance.Sigstore;

namespace PolicyWebhook.Provenance.Tests.Sigstore;

/// <summary>RFC 6962 audit paths: computed here from the definitions (MTH, PATH) and checked by the verifier.</summary>
public sealed class MerkleTreeTests
{
    [Fact]
    public void VerifyInclusion_EveryLeafOfTreesUpTo17_Verifies()
    {
        for (var size = 1; size <= 17; size++)
        {
            var leaves = Leaves(size);
            var root = Root(leaves);
            for (var index = 0; index < size; index++)
            {
                Assert.True(MerkleTree.VerifyInclusion(index, size, leaves[index], Path(index, leaves), root), $"leaf {index} of {size}");
            }
        }
    }

    [Fact]
    public void VerifyInclusion_OneFlippedBitInThePath_Fails()
    {
        var leaves = Leaves(11);
        var path = Path(6, leaves);
        path[1] = (byte[])path[1].Clone();
        path[1][0] ^= 1;

        Assert.False(MerkleTree.VerifyInclusion(6, 11, leaves[6], path, Root(leaves)));
    }

    [Theory]
    [InlineData(6, 7)]
    [InlineData(6, 64)]
    [InlineData(5, 11)]
    [InlineData(11, 11)]
    [InlineData(-1, 11)]
    public void VerifyInclusion_WrongIndexOrSize_Fails(long index, long size)
    {
        var leaves = Leaves(11);

        Assert.False(MerkleTree.VerifyInclusion(index, size, leaves[6], Path(6, leaves), Root(leaves)));
    }

    [Fact]
    public void VerifyInclusion_PathTooLongOrTooShort_Fails()
    {
        var leaves = Leaves(8);
        var path = Path(3, leaves);

        Assert.False(MerkleTree.VerifyInclusion(3, 8, leaves[3], [.. path, path[0]], Root(leaves)));
        Assert.False(MerkleTree.VerifyInclusion(3, 8, leaves[3], path[..^1], Root(leaves)));
    }

    private static byte[][] Leaves(int count) => [.. Enumerable.Range(0, count).Select(i => MerkleTree.LeafHash([(byte)i, (byte)(i >> 8)]))];

    // RFC 6962 §2.1: MTH(D[n]) splits at k, the largest power of two smaller than n.
    private static byte[] Root(ReadOnlySpan<byte[]> leaves)
    {
        if (leaves.Length == 1)
        {
            return leaves[0];
        }

        var k = Split(leaves.Length);
        return MerkleTree.NodeHash(Root(leaves[..k]), Root(leaves[k..]));
    }

    // RFC 6962 §2.1.1: PATH(m, D[n]).
    private static List<byte[]> Path(int m, ReadOnlySpan<byte[]> leaves)
    {
        if (leaves.Length == 1)
        {
            return [];
        }

        var k = Split(leaves.Length);
        if (m < k)
        {
            var left = Path(m, leaves[..k]);
            left.Add(Root(leaves[k..]));
            return left;
        }

        var right = Path(m - k, leaves[k..]);
        right.Add(Root(leaves[..k]));
        return right;
    }

    private static int Split(int n)
    {
        var k = 1;
        while (k * 2 < n)
        {
            k *= 2;
        }

        return k;
    }
}
