using System.Text.RegularExpressions;

namespace PolicyWebhook.Provenance.Sigstore;

/// <summary>
/// The signer a keyless signature must come from: a subject (SAN) given exactly or as a regular expression that must
/// match all of it, and the exact OIDC issuer.
/// </summary>
public sealed record CertificateIdentity(string? Subject, Regex? SubjectPattern, string Issuer)
{
    /// <summary>An identity with an exact subject and issuer.</summary>
    public static CertificateIdentity Exact(string subject, string issuer) => new(subject, null, issuer);

    /// <summary>True when the certificate's identity is this one.</summary>
    public bool Matches(FulcioIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        return identity.Issuer == Issuer && identity.SubjectAlternativeNames.Any(MatchesSubject);
    }

    public override string ToString() => $"{Subject ?? SubjectPattern?.ToString()} (issuer {Issuer})";

    private bool MatchesSubject(string name) =>
        Subject is not null ? name == Subject
        : SubjectPattern is not null && SubjectPattern.Match(name) is { Success: true } m && m.Index == 0 && m.Length == name.Length;
}
