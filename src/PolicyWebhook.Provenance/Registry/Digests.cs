using System.Security.Cryptography;

namespace PolicyWebhook.Provenance.Registry;

/// <summary>Content digests (<c>sha256:&lt;hex&gt;</c>, <c>sha512:&lt;hex&gt;</c>): checking their form and computing them.</summary>
internal static class Digests
{
    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");

    public static bool IsDigest(string reference) => reference.Contains(':', StringComparison.Ordinal);

    /// <summary>Throws when <paramref name="digest"/> is not a sha256 or sha512 digest in lower-case hex.</summary>
    public static void Validate(string digest)
    {
        var hexLength = Algorithm(digest) switch
        {
            "sha256" => 64,
            "sha512" => 128,
            _ => throw new ArgumentException($"digest {digest} is neither sha256 nor sha512", nameof(digest)),
        };
        var hex = digest.AsSpan(digest.IndexOf(':', StringComparison.Ordinal) + 1);
        if (hex.Length != hexLength || hex.ContainsAnyExcept(LowerHex))
        {
            throw new ArgumentException($"digest {digest} does not have {hexLength} lower-case hex digits", nameof(digest));
        }
    }

    public static string Sha256(ReadOnlySpan<byte> bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>The digest of <paramref name="bytes"/> computed with the algorithm <paramref name="like"/> names.</summary>
    public static string Compute(string like, ReadOnlySpan<byte> bytes) => Algorithm(like) == "sha512"
        ? "sha512:" + Convert.ToHexStringLower(SHA512.HashData(bytes))
        : Sha256(bytes);

    /// <summary>The tag the referrers tag schema gives a digest's referrers: <c>&lt;alg&gt;-&lt;hex&gt;</c>, the hex cut to 64 characters.</summary>
    public static string ReferrersTag(string digest)
    {
        var colon = digest.IndexOf(':', StringComparison.Ordinal);
        var hex = digest[(colon + 1)..];
        return digest[..colon] + "-" + hex[..Math.Min(hex.Length, 64)];
    }

    private static string Algorithm(string digest)
    {
        var colon = digest.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 ? digest[..colon] : string.Empty;
    }
}
