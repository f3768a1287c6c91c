using System.Text.RegularExpressions;

namespace PolicyWebhook.Provenance.Sigstore;

/// <summary>
/// The signer a keyless signature must come from: a subject (SAN) given exactly or as a regular expression that must
/// match all of it, and the exact OIDC issuer.
/// </summary>
public sealed class CertificateIdentity
{
    private readonly Regex? _anchored;

    private CertificateIdentity(string? subject, string? subjectPattern, string issuer)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        Subject = subject;
        SubjectPattern = subjectPattern;
        Issuer = issuer;
        _anchored = subjectPattern is null ? null : Engine.Images.SubjectPattern.Compile(subjectPattern);
    }

    /// <summary>The exact subject, or null when <see cref="SubjectPattern"/> is given.</summary>
    public string? Subject { get; }

    /// <summary>The regular expression the whole subject must match, or null when <see cref="Subject"/> is given.</summary>
    public string? SubjectPattern { get; }

    /// <summary>The exact OIDC issuer.</summary>
    public string Issuer { get; }

    /// <summary>An identity with an exact subject and issuer.</summary>
    public static CertificateIdentity Exact(string subject, string issuer)
    {
        ArgumentNullException.ThrowIfNull(subject);
        return new(subject, null, issuer);
    }

    /// <summary>An identity whose subject matches <paramref name="pattern"/> in full; throws <see cref="ArgumentException"/> when it is no regular expression.</summary>
    public static CertificateIdentity Matching(string pattern, string issuer)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        return new(null, pattern, issuer);
    }

    /// <summary>True when the certificate's identity is this one.</summary>
    public bool Matches(FulcioIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        return identity.Issuer == Issuer && identity.SubjectAlternativeNames.Any(MatchesSubject);
    }

    public override string ToString() => $"{Subject ?? SubjectPattern} (issuer {Issuer})";

    private bool MatchesSubject(string name) => Subject is not null ? name == Subject : _anchored!.IsMatch(name);
}
