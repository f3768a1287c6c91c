using System.Security.Cryptography;

namespace PolicyWebhook.Provenance.Registry;

/// <summary>
/// Content digests (<c>sha256:&lt;hex&gt;</c>, <c>sha512:&lt;hex&gt;</c>): checking their form and computing them, for the
/// registry client and for the formats (which write the bare hex under <c>{"sha256": ...}</c>).
/// </summary>
internal static class Digests
{
    private const string Sha256Prefix = "sha256:";
    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");

    /// <summary>True for <c>sha256:</c> and 64 lower-case hex digits, the only digests verified.</summary>
    public static bool IsSha256(string? digest) =>
        digest is { Length: 71 } && digest.StartsWith(Sha256Prefix, StringComparison.Ordinal) && !digest.AsSpan(Sha256Prefix.Length).ContainsAnyExcept(LowerHex);

    /// <summary>The digest of a hex value as an in-toto subject gives it; null unless it is 64 hex digits.</summary>
    public static string? FromSha256Hex(string? hex)
    {
        var digest = Sha256Prefix + hex?.ToLowerInvariant();
        return IsSha256(digest) ? digest : null;
    }

    /// <summary>The <c>sha256:</c> digest of raw hash bytes (a bundle's <c>messageDigest</c>).</summary>
    public static string FromSha256Bytes(ReadOnlySpan<byte> hash) => Sha256Prefix + Convert.ToHexStringLower(hash);

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
