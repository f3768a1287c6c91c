using System.Security.Cryptography.X509Certificates;
using PolicyWebhook.Provenance.Keys;

namespace PolicyWebhook.Provenance.Sigstore;

/// <summary>
/// Verifies Sigstore bundles offline against a <see cref="TrustedRoot"/>, following the Sigstore client specification:
/// the signature over the artifact, every transparency-log entry (body, SET, inclusion proof, checkpoint), RFC 3161
/// timestamps, and for keyless signatures the Fulcio chain at each signing time, the embedded SCTs and the identity.
/// The current clock is read only to refuse integrated times in the future.
/// </summary>
public sealed class BundleVerifier(TrustedRoot root, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>The trusted root this verifier trusts.</summary>
    public TrustedRoot Root => root;

    /// <summary>Verifies a keyless bundle (JSON) over the artifact, signed by <paramref name="identity"/>.</summary>
    public BundleVerificationResult VerifyKeyless(ReadOnlySpan<byte> bundleJson, Artifact artifact, CertificateIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        return Run(bundleJson, artifact, identity, null);
    }

    /// <summary>Verifies a bundle (JSON) over the artifact, signed with <paramref name="key"/>.</summary>
    public BundleVerificationResult VerifyWithKey(ReadOnlySpan<byte> bundleJson, Artifact artifact, TrustedKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Run(bundleJson, artifact, null, key);
    }

    /// <summary>Verifies a parsed bundle; exactly one of <paramref name="identity"/> and <paramref name="key"/> is given.</summary>
    public BundleVerificationResult Verify(Bundle bundle, Artifact artifact, CertificateIdentity? identity, TrustedKey? key)
    {
        if ((identity is null) == (key is null))
        {
            throw new ArgumentException("give exactly one of an identity and a key");
        }

        return VerifyOrFail(bundle, artifact, identity, key);
    }

    /// <summary>
    /// Verifies a keyless bundle in every step but the identity, and reports the signer it found in
    /// <see cref="BundleVerificationResult.Signer"/>: for a caller that matches the signer against several identities
    /// of its own (a policy entry's). A bundle signed with a key fails at step <c>certificate</c>.
    /// </summary>
    public BundleVerificationResult VerifySigner(Bundle bundle, Artifact artifact) => VerifyOrFail(bundle, artifact, null, null);

    private BundleVerificationResult VerifyOrFail(Bundle bundle, Artifact artifact, CertificateIdentity? identity, TrustedKey? key)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        ArgumentNullException.ThrowIfNull(artifact);
        try
        {
            return VerifyOrThrow(bundle, artifact, identity, key);
        }
        catch (SigstoreVerificationException e)
        {
            return BundleVerificationResult.Failed(e.Message);
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or System.Formats.Asn1.AsnContentException or FormatException or OverflowException)
        {
            // Each step reads its input defensively; this is the net under a parser's edge case, not a path taken.
            return BundleVerificationResult.Failed("bundle: malformed content: " + e.Message);
        }
    }

    private BundleVerificationResult Run(ReadOnlySpan<byte> bundleJson, Artifact artifact, CertificateIdentity? identity, TrustedKey? key)
    {
        Bundle bundle;
        try
        {
            bundle = Bundle.Parse(bundleJson);
        }
        catch (SigstoreVerificationException e)
        {
            return BundleVerificationResult.Failed(e.Message);
        }

        return Verify(bundle, artifact, identity, key);
    }

    private BundleVerificationResult VerifyOrThrow(Bundle bundle, Artifact artifact, CertificateIdentity? identity, TrustedKey? key)
    {
        var signer = Signer(bundle, key);
        RootCertificateCheck(bundle);
        SignatureCheck.Verify(bundle, artifact, signer.Key);

        var times = SigningTimes(bundle, signer, artifact);
        if (signer.Certificate is not { } certificate)
        {
            return BundleVerificationResult.Passed(null, times);
        }

        // The certificate must be valid, and its CA trusted, at every time the signature was vouched for.
        X509Certificate2? issuer = null;
        foreach (var time in times)
        {
            issuer = FulcioChain.Verify(certificate, root, time);
        }

        if (root.CtLogs.Count > 0)
        {
            SignedCertificateTimestamps.Verify(certificate, issuer!, root.CtLogs);
        }

        var found = FulcioIdentity.From(certificate);
        if (identity is not null && !identity.Matches(found))
        {
            throw new SigstoreVerificationException("identity", $"signed by {found.Subject} (issuer {found.Issuer ?? "none"}), not by {identity}");
        }

        return BundleVerificationResult.Passed(found, times);
    }

    // The verified times of signing: each RFC 3161 timestamp's, and each log entry's integrated time its SET signs.
    // Every log entry must verify, and be vouched for by a time within its log key's window.
    private List<DateTimeOffset> SigningTimes(Bundle bundle, SigningKey signer, Artifact artifact)
    {
        var stamped = bundle.Timestamps.Select(token => TimestampVerifier.Verify(token, bundle.Signature, root)).ToList();
        if (bundle.LogEntries.Count == 0)
        {
            throw new SigstoreVerificationException("log entry", "the bundle has no transparency-log entry");
        }

        var times = new List<DateTimeOffset>(stamped);
        var now = _clock.GetUtcNow();
        foreach (var entry in bundle.LogEntries)
        {
            var verified = TlogVerifier.Verify(entry, bundle, signer, artifact, root, now);
            List<DateTimeOffset> entryTimes = verified.IntegratedTime is { } integrated ? [integrated] : stamped;
            if (entryTimes.Count == 0)
            {
                throw new SigstoreVerificationException("timestamp", $"the entry of {verified.Log.BaseUrl} has no signed integrated time, and the bundle has no RFC 3161 timestamp");
            }

            foreach (var outside in entryTimes.Where(t => !verified.Log.ValidFor.Contains(t)))
            {
                throw new SigstoreVerificationException("timestamp window", $"{outside:u} is outside the window the trusted root gives {verified.Log.BaseUrl} ({verified.Log.ValidFor})");
            }

            if (verified.IntegratedTime is { } time)
            {
                times.Add(time);
            }
        }

        return times;
    }

    private static SigningKey Signer(Bundle bundle, TrustedKey? key)
    {
        if (key is not null)
        {
            return bundle.Certificate is null
                ? new SigningKey(key, null)
                : throw new SigstoreVerificationException("key", "the bundle was signed with a certificate, and a key was given");
        }

        return bundle.Certificate is { } certificate
            ? SigningKey.FromCertificate(certificate)
            : throw new SigstoreVerificationException("certificate", "the bundle was signed with a key (it has no certificate), and an identity was expected");
    }

    // A bundle's chain may not carry a root: trust comes from the trusted root alone.
    private static void RootCertificateCheck(Bundle bundle)
    {
        if (bundle.ChainRest.Any(Certificates.IsSelfSigned))
        {
            throw new SigstoreVerificationException("certificate chain", "the bundle's certificate chain holds a root certificate; roots come from the trusted root only");
        }
    }
}
