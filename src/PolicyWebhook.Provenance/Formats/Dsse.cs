using System.Globalization;
using System.Text;

namespace PolicyWebhook.Provenance.Formats;

/// <summary>One signature of a DSSE envelope.</summary>
internal sealed record DsseSignature(string? Keyid, string? Sig);

/// <summary>
/// A DSSE envelope (legacy cosign attestations, Sigstore bundles): a base64 payload of a type, signed over the
/// pre-authentication encoding <c>DSSEv1 SP len(type) SP type SP len(body) SP body</c>.
/// </summary>
internal sealed record DsseEnvelope(string? PayloadType, string? Payload, List<DsseSignature>? Signatures)
{
    public const string InTotoPayloadType = "application/vnd.in-toto+json";

    // cosign writes one signature; a few more are allowed, not an unbounded number of verifications.
    private const int MaxSignatures = 4;

    /// <summary>The decoded payload when the envelope carries an in-toto statement, unverified; null when it does not.</summary>
    public byte[]? InTotoPayload() => PayloadType == InTotoPayloadType ? Json.Base64(Payload) : null;

    /// <summary>The names of the keys that signed <paramref name="payload"/> in this envelope.</summary>
    public IEnumerable<string> SignedBy(byte[] payload, IReadOnlyList<NamedKey> keys)
    {
        if (PayloadType is null || Signatures is null)
        {
            yield break;
        }

        var pae = PreAuthenticationEncoding(PayloadType, payload);
        var signatures = Signatures.Take(MaxSignatures).Select(s => Json.Base64(s.Sig)).OfType<byte[]>().ToList();
        foreach (var key in keys)
        {
            if (signatures.Any(s => key.Key.Verify(pae, s)))
            {
                yield return key.Name;
            }
        }
    }

    /// <summary>The bytes a DSSE signature covers.</summary>
    public static byte[] PreAuthenticationEncoding(string payloadType, ReadOnlySpan<byte> payload)
    {
        var type = Encoding.UTF8.GetBytes(payloadType);
        var head = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"DSSEv1 {type.Length} {payloadType} {payload.Length} "));
        return [.. head, .. payload];
    }
}
