using System.Globalization;
using System.Text;

namespace PolicyWebhook.Provenance.Sigstore;

/// <summary>One signature line of a signed note: <c>— NAME base64(keyhint(4) || signature)</c>.</summary>
public sealed record NoteSignature(string Name, byte[] KeyHint, byte[] Signature);

/// <summary>
/// A transparency log's checkpoint in the signed-note format: the note (origin line, tree size, base64 root hash, any
/// further lines), a blank line, then signature lines. Witness cosignatures are lines like any other; the verifier
/// picks the log's own by name and key hint.
/// </summary>
public sealed record SignedCheckpoint(string Origin, long TreeSize, byte[] RootHash, string Note, IReadOnlyList<NoteSignature> Signatures)
{
    private const int MaxLength = 64 * 1024;
    private const int MaxSignatures = 64;

    /// <summary>Parses a signed checkpoint; throws <see cref="SigstoreVerificationException"/> (step <c>checkpoint</c>) saying what is malformed.</summary>
    public static SignedCheckpoint Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxLength)
        {
            throw Bad("longer than 64 KiB");
        }

        var split = text.IndexOf("\n\n", StringComparison.Ordinal);
        if (split < 0)
        {
            throw Bad("no blank line between the note and its signatures");
        }

        // The signed text is the note up to and including its last newline.
        var note = text[..(split + 1)];
        var lines = note[..^1].Split('\n');
        if (lines.Length < 3 || lines[0].Length == 0)
        {
            throw Bad("the note must have an origin line, a tree size and a root hash");
        }

        if (!long.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size))
        {
            throw Bad($"tree size '{lines[1]}' is not a number (is the origin line missing?)");
        }

        if (Formats.Json.Base64(lines[2]) is not { Length: 32 } root)
        {
            throw Bad("the third line is not a base64 SHA-256 root hash");
        }

        var block = text[(split + 2)..];
        if (block.Length == 0 || block[^1] != '\n')
        {
            throw Bad("no signature lines, or they do not end with a newline");
        }

        var signatures = new List<NoteSignature>();
        foreach (var line in block[..^1].Split('\n'))
        {
            var parts = line.Split(' ');
            if (parts is not ["\u2014", var name, var base64] || name.Length == 0)
            {
                throw Bad($"malformed signature line '{Shorten(line)}'");
            }

            if (Formats.Json.Base64(base64) is not { Length: > 4 } bytes)
            {
                throw Bad($"signature of {name} is not base64 of a key hint and a signature");
            }

            if (signatures.Count == MaxSignatures)
            {
                throw Bad($"more than {MaxSignatures} signatures");
            }

            signatures.Add(new NoteSignature(name, bytes[..4], bytes[4..]));
        }

        return new SignedCheckpoint(lines[0], size, root, note, signatures);
    }

    /// <summary>
    /// Checks that the log signed this checkpoint: a signature line with the log's name and a key hint equal to the
    /// first four bytes of its key id verifies with its key. Lines of other signers (witnesses, other keys) are ignored.
    /// </summary>
    public void VerifySignedBy(TransparencyLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var hint = log.KeyId[..Math.Min(4, log.KeyId.Length)];
        var candidates = Signatures.Where(s => s.Name == log.NoteName && s.KeyHint.AsSpan().SequenceEqual(hint)).ToList();
        if (candidates.Count == 0)
        {
            throw Bad($"no signature by {log.NoteName} with key hint {Convert.ToHexStringLower(hint)}");
        }

        // Rekor v1 names its shard after the host ("rekor.sigstore.dev - 2605736670972794746"); Rekor v2 uses the host alone.
        if (Origin != log.NoteName && !Origin.StartsWith(log.NoteName + " - ", StringComparison.Ordinal))
        {
            throw Bad($"the checkpoint's origin '{Origin}' is not the log {log.NoteName}");
        }

        var signed = Encoding.UTF8.GetBytes(Note);
        if (!candidates.Exists(c => log.Key.Verify(signed, c.Signature)))
        {
            throw Bad($"the signature by {log.NoteName} does not verify with the log's key");
        }
    }

    private static string Shorten(string line) => line.Length > 40 ? line[..40] + "…" : line;

    private static SigstoreVerificationException Bad(string message) => new("checkpoint", message);
}
