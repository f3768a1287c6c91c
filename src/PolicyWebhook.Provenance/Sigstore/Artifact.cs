using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace PolicyWebhook.Provenance.Sigstore;

/// <summary>
/// The artifact a bundle is checked against: its SHA-256 digest, and its bytes when they were given (a digest alone
/// cannot verify an Ed25519 or P-384 message signature, which sign the message itself).
/// </summary>
public sealed record Artifact(byte[] Sha256, byte[]? Bytes)
{
    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdefABCDEF");

    // Bigger files are hashed as a stream and verified by digest.
    private const long MaxKeptBytes = 64L << 20;

    /// <summary>The artifact of these bytes.</summary>
    public static Artifact FromBytes(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return new Artifact(SHA256.HashData(bytes), bytes);
    }

    /// <summary>The artifact in a file, read (or, when large, hashed as a stream).</summary>
    public static Artifact FromFile(string path)
    {
        using var stream = File.OpenRead(path);
        if (stream.Length <= MaxKeptBytes)
        {
            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            return FromBytes(bytes);
        }

        return new Artifact(SHA256.HashData(stream), null);
    }

    /// <summary>Parses <c>sha256:</c> and 64 hex digits; false for anything else.</summary>
    public static bool TryParseDigest(string text, [NotNullWhen(true)] out Artifact? artifact)
    {
        ArgumentNullException.ThrowIfNull(text);
        artifact = null;
        const string Prefix = "sha256:";
        if (!text.StartsWith(Prefix, StringComparison.Ordinal) || text.Length != Prefix.Length + 64
            || text.AsSpan(Prefix.Length).ContainsAnyExcept(HexDigits))
        {
            return false;
        }

        artifact = new Artifact(Convert.FromHexString(text.AsSpan(Prefix.Length)), null);
        return true;
    }

    /// <summary>The digest as <c>sha256:&lt;hex&gt;</c>.</summary>
    public string Digest => "sha256:" + Convert.ToHexStringLower(Sha256);

    public override string ToString() => Digest;
}
