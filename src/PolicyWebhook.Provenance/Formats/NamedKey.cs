using System.Buffers;
using PolicyWebhook.Provenance.Keys;

namespace PolicyWebhook.Provenance.Formats;

/// <summary>A trusted key with the name the rule entry gives it, the name facts and messages use.</summary>
internal sealed record NamedKey(string Name, TrustedKey Key);

/// <summary>Digests as the formats write them: <c>sha256:&lt;64 hex&gt;</c>, or the bare hex under <c>{"sha256": ...}</c>.</summary>
internal static class Digests
{
    private const string Sha256Prefix = "sha256:";
    private static readonly SearchValues<char> LowerHex = SearchValues.Create("0123456789abcdef");

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
}
