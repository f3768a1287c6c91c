using System.Buffers.Binary;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PolicyWebhook.Provenance.Sigstore;

/// <summary>
/// The signed certificate timestamps (RFC 6962) embedded in a Fulcio certificate: at least one must be signed by a CT
/// log of the trusted root, over the precertificate (the certificate without its SCT list) and the issuer's key hash.
/// </summary>
internal static class SignedCertificateTimestamps
{
    public const string SctListOid = "1.3.6.1.4.1.11129.2.4.2";

    /// <summary>Throws <see cref="SigstoreVerificationException"/> (step <c>SCT</c>) unless an embedded SCT verifies with a trusted CT log.</summary>
    public static void Verify(X509Certificate2 leaf, X509Certificate2 issuer, IReadOnlyList<TransparencyLog> ctLogs)
    {
        var extension = leaf.Extensions.FirstOrDefault(e => e.Oid?.Value == SctListOid)
            ?? throw Bad("the certificate has no embedded SCT");
        List<Sct> scts;
        byte[] tbs;
        try
        {
            scts = ReadList(new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadOctetString());
            tbs = PrecertificateTbs(leaf.RawData);
        }
        catch (Exception e) when (e is AsnContentException or ArgumentOutOfRangeException or IndexOutOfRangeException)
        {
            throw Bad("the embedded SCT list is malformed");
        }

        var issuerKeyHash = SHA256.HashData(issuer.PublicKey.ExportSubjectPublicKeyInfo());
        foreach (var sct in scts)
        {
            var log = ctLogs.FirstOrDefault(l => l.KeyId.AsSpan().SequenceEqual(sct.LogId));
            if (log is null || !log.ValidFor.Contains(DateTimeOffset.FromUnixTimeMilliseconds(sct.Timestamp)))
            {
                continue;
            }

            if (log.Key.Verify(SignedData(sct, issuerKeyHash, tbs), sct.Signature))
            {
                return;
            }
        }

        throw Bad($"none of the {scts.Count} embedded SCTs verifies with a CT log of the trusted root");
    }

    private sealed record Sct(byte[] LogId, long Timestamp, byte[] Extensions, byte[] Signature);

    private static List<Sct> ReadList(byte[] tls)
    {
        var span = tls.AsSpan();
        var total = BinaryPrimitives.ReadUInt16BigEndian(span);
        span = span.Slice(2, total);
        var list = new List<Sct>();
        while (span.Length > 0)
        {
            var length = BinaryPrimitives.ReadUInt16BigEndian(span);
            var sct = span.Slice(2, length);
            span = span[(2 + length)..];
            if (sct[0] != 0)
            {
                continue; // only v1 SCTs exist
            }

            var logId = sct.Slice(1, 32).ToArray();
            var timestamp = BinaryPrimitives.ReadInt64BigEndian(sct.Slice(33, 8));
            var extensionsLength = BinaryPrimitives.ReadUInt16BigEndian(sct.Slice(41, 2));
            var extensions = sct.Slice(43, extensionsLength).ToArray();
            var rest = sct[(43 + extensionsLength)..];
            var signatureLength = BinaryPrimitives.ReadUInt16BigEndian(rest.Slice(2, 2));
            list.Add(new Sct(logId, timestamp, extensions, rest.Slice(4, signatureLength).ToArray()));
        }

        return list;
    }

    // RFC 6962 §3.2, a precert_entry: version, signature type, timestamp, entry type, issuer key hash, TBS, extensions.
    private static byte[] SignedData(Sct sct, byte[] issuerKeyHash, byte[] tbs)
    {
        using var data = new MemoryStream();
        data.WriteByte(0);
        data.WriteByte(0);
        Span<byte> buffer = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(buffer, sct.Timestamp);
        data.Write(buffer);
        data.WriteByte(0);
        data.WriteByte(1);
        data.Write(issuerKeyHash);
        data.WriteByte((byte)(tbs.Length >> 16));
        data.WriteByte((byte)(tbs.Length >> 8));
        data.WriteByte((byte)tbs.Length);
        data.Write(tbs);
        data.WriteByte((byte)(sct.Extensions.Length >> 8));
        data.WriteByte((byte)sct.Extensions.Length);
        data.Write(sct.Extensions);
        return data.ToArray();
    }

    // The TBSCertificate with the SCT list extension removed: what the CT log saw as the precertificate.
    private static byte[] PrecertificateTbs(byte[] certificate)
    {
        var tbs = new AsnReader(certificate, AsnEncodingRules.DER).ReadSequence().ReadSequence();
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            var extensionsTag = new Asn1Tag(TagClass.ContextSpecific, 3, isConstructed: true);
            while (tbs.HasData)
            {
                if (tbs.PeekTag() != extensionsTag)
                {
                    writer.WriteEncodedValue(tbs.ReadEncodedValue().Span);
                    continue;
                }

                var extensions = tbs.ReadSequence(extensionsTag).ReadSequence();
                using (writer.PushSequence(extensionsTag))
                using (writer.PushSequence())
                {
                    while (extensions.HasData)
                    {
                        var encoded = extensions.ReadEncodedValue();
                        var oid = new AsnReader(encoded, AsnEncodingRules.DER).ReadSequence().ReadObjectIdentifier();
                        if (oid != SctListOid)
                        {
                            writer.WriteEncodedValue(encoded.Span);
                        }
                    }
                }
            }
        }

        return writer.Encode();
    }

    private static SigstoreVerificationException Bad(string message) => new("SCT", message);
}
