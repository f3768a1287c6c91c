using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace PolicyWebhook.Provenance.Sigstore;

/// <summary>
/// Who a Fulcio certificate says signed: the Subject Alternative Names (URI, email, or Fulcio's otherName username)
/// and the OIDC issuer, from extension 1.3.6.1.4.1.57264.1.8 (a DER UTF8String) or the legacy 1.3.6.1.4.1.57264.1.1
/// (the raw string).
/// </summary>
public sealed record FulcioIdentity(IReadOnlyList<string> SubjectAlternativeNames, string? Issuer)
{
    /// <summary>The values of Fulcio's other extensions (1.3.6.1.4.1.57264.1.9 and up, DER UTF8Strings), by OID.</summary>
    public IReadOnlyDictionary<string, string> Extensions { get; init; } = new Dictionary<string, string>();

    public const string IssuerOid = "1.3.6.1.4.1.57264.1.8";
    public const string LegacyIssuerOid = "1.3.6.1.4.1.57264.1.1";
    private const string SubjectAltNameOid = "2.5.29.17";
    private const string FulcioArc = "1.3.6.1.4.1.57264.1.";

    /// <summary>The identity in a certificate; names and issuer that do not parse are left out.</summary>
    public static FulcioIdentity From(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var names = new List<string>();
        var extensions = new Dictionary<string, string>(StringComparer.Ordinal);
        string? issuer = null;
        string? legacyIssuer = null;
        foreach (var extension in certificate.Extensions)
        {
            try
            {
                switch (extension.Oid?.Value)
                {
                    case SubjectAltNameOid:
                        names.AddRange(ReadNames(extension.RawData));
                        break;
                    case IssuerOid:
                        issuer = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadCharacterString(UniversalTagNumber.UTF8String);
                        break;
                    case LegacyIssuerOid:
                        legacyIssuer = Encoding.UTF8.GetString(extension.RawData);
                        break;
                    case { } oid when oid.StartsWith(FulcioArc, StringComparison.Ordinal) && int.TryParse(oid.AsSpan(FulcioArc.Length), out var arc) && arc >= 9:
                        extensions[oid] = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadCharacterString(UniversalTagNumber.UTF8String);
                        break;
                    default:
                        break;
                }
            }
            catch (AsnContentException)
            {
                // A malformed extension names nobody.
            }
        }

        return new FulcioIdentity(names, issuer ?? legacyIssuer) { Extensions = extensions };
    }

    /// <summary>The first name, for messages.</summary>
    public string Subject => SubjectAlternativeNames.Count > 0 ? SubjectAlternativeNames[0] : "(no subject alternative name)";

    private static List<string> ReadNames(byte[] der)
    {
        var names = new List<string>();
        var reader = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
        while (reader.HasData)
        {
            var tag = reader.PeekTag();
            if (tag.TagClass != TagClass.ContextSpecific)
            {
                reader.ReadEncodedValue();
                continue;
            }

            switch (tag.TagValue)
            {
                case 1 or 6:
                    // rfc822Name and uniformResourceIdentifier are IA5Strings, implicitly tagged.
                    names.Add(reader.ReadCharacterString(UniversalTagNumber.IA5String, tag));
                    break;
                case 0:
                    var other = reader.ReadSequence(tag);
                    other.ReadObjectIdentifier();
                    var value = other.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true));
                    names.Add(value.ReadCharacterString(UniversalTagNumber.UTF8String));
                    break;
                default:
                    reader.ReadEncodedValue();
                    break;
            }
        }

        return names;
    }
}
