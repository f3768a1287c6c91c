using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PolicyWebhook.Provenance.Sigstore;
using PolicyWebhook.Tests.Shared;

namespace PolicyWebhook.Provenance.Tests.Sigstore;

/// <summary>Who a Fulcio certificate names: SAN URI, email or otherName, and the issuer from the new or the legacy extension.</summary>
public sealed class FulcioIdentityTests
{
    private const string Beacon = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
    private const string GitHub = "https://token.actions.githubusercontent.com";

    [Fact]
    public void From_FulcioCertificate_ReadsUriAndIssuer()
    {
        var identity = FulcioIdentity.From(ConformanceCertificate("happy-path-v0.3"));

        Assert.Equal([Beacon], identity.SubjectAlternativeNames);
        Assert.Equal(GitHub, identity.Issuer);
    }

    [Fact]
    public void From_EmailAndLegacyIssuer_ReadsBoth()
    {
        using var certificate = Certificate(san => san.AddEmailAddress("dev@example.com"), new X509Extension(FulcioIdentity.LegacyIssuerOid, Encoding.UTF8.GetBytes("https://accounts.google.com"), false));

        var identity = FulcioIdentity.From(certificate);

        Assert.Equal(["dev@example.com"], identity.SubjectAlternativeNames);
        Assert.Equal("https://accounts.google.com", identity.Issuer);
    }

    [Fact]
    public void From_BothIssuerExtensions_PrefersTheDerOne()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteCharacterString(UniversalTagNumber.UTF8String, "https://new.example");
        using var certificate = Certificate(
            san => san.AddUri(new Uri("https://example.com/ci")),
            new X509Extension(FulcioIdentity.LegacyIssuerOid, Encoding.UTF8.GetBytes("https://legacy.example"), false),
            new X509Extension(FulcioIdentity.IssuerOid, writer.Encode(), false));

        Assert.Equal("https://new.example", FulcioIdentity.From(certificate).Issuer);
    }

    [Fact]
    public void From_OtherNameUsername_ReadsIt()
    {
        // Fulcio's otherName SAN (1.3.6.1.4.1.57264.1.7) holds a username as a UTF8String.
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
        {
            writer.WriteObjectIdentifier("1.3.6.1.4.1.57264.1.7");
            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
            {
                writer.WriteCharacterString(UniversalTagNumber.UTF8String, "foo!oidc.local");
            }
        }

        using var certificate = Certificate(null, new X509Extension("2.5.29.17", writer.Encode(), true));

        Assert.Equal(["foo!oidc.local"], FulcioIdentity.From(certificate).SubjectAlternativeNames);
    }

    [Fact]
    public void From_MalformedSan_NamesNobody()
    {
        using var certificate = Certificate(null, new X509Extension("2.5.29.17", [0x30, 0x03, 0x86, 0x05, 0x41], false));

        Assert.Empty(FulcioIdentity.From(certificate).SubjectAlternativeNames);
    }

    [Fact]
    public void Matches_ExactSubjectAndIssuer_OnlyThose()
    {
        var identity = FulcioIdentity.From(ConformanceCertificate("happy-path-v0.3"));

        Assert.True(CertificateIdentity.Exact(Beacon, GitHub).Matches(identity));
        Assert.False(CertificateIdentity.Exact(Beacon + "x", GitHub).Matches(identity));
        Assert.False(CertificateIdentity.Exact(Beacon, GitHub + "/").Matches(identity));
    }

    [Fact]
    public void Matches_SubjectPattern_MustMatchAllOfTheName()
    {
        var identity = FulcioIdentity.From(ConformanceCertificate("happy-path-v0.3"));

        Assert.True(CertificateIdentity.Matching(@"https://github\.com/sigstore-conformance/.*", GitHub).Matches(identity));
        Assert.False(CertificateIdentity.Matching(@"https://github\.com/sigstore-conformance/", GitHub).Matches(identity));
        // An alternation whose first branch matches only a prefix still matches the whole name through the second.
        Assert.True(CertificateIdentity.Matching(@"https://github\.com|https://github\.com/sigstore-conformance/.*", GitHub).Matches(identity));
        Assert.False(CertificateIdentity.Matching(@"https://github\.com|https://gitlab\.com/.*", GitHub).Matches(identity));
    }

    internal static X509Certificate2 ConformanceCertificate(string name)
    {
        var bundle = JsonNode.Parse(File.ReadAllText(SigstoreConformance.PathOf($"conformance/{name}/bundle.sigstore.json")))!;
        return X509CertificateLoader.LoadCertificate(Convert.FromBase64String(bundle["verificationMaterial"]!["certificate"]!["rawBytes"]!.GetValue<string>()));
    }

    private static X509Certificate2 Certificate(Action<SubjectAlternativeNameBuilder>? san, params X509Extension[] extensions)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=test", key, HashAlgorithmName.SHA256);
        if (san is not null)
        {
            var builder = new SubjectAlternativeNameBuilder();
            san(builder);
            request.CertificateExtensions.Add(builder.Build());
        }

        foreach (var extension in extensions)
        {
            request.CertificateExtensions.Add(extension);
        }

        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(10));
    }
}
