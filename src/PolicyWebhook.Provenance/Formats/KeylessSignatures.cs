using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;
using PolicyWebhook.Engine.Images;
using PolicyWebhook.Provenance.Registry;
using PolicyWebhook.Provenance.Sigstore;

namespace PolicyWebhook.Provenance.Formats;

/*
 * Keyless cosign signatures, verified against the trusted roots by the Sigstore client specification
 * (Sigstore.BundleVerifier), then matched against an entry's identities:
 * - legacy .sig layers that carry dev.sigstore.cosign/certificate and dev.sigstore.cosign/bundle (the Rekor entry
 *   and its signed entry timestamp) beside the signature annotation; the artifact is the simple-signing payload;
 * - Sigstore bundles stored as referrers, signed with a Fulcio certificate: a messageSignature over the image
 *   manifest (whose digest the bundle's message digest must be), or a DSSE cosign signature statement whose subject
 *   is the image digest.
 * A signature that verifies but names none of the entry's identities is told to the collector by its signer, for the
 * message; one that does not verify does not count and is not named.
 */
internal sealed class KeylessSignatures(IReadOnlyList<BundleVerifier> all)
{
    public const string CertificateAnnotation = "dev.sigstore.cosign/certificate";
    public const string RekorBundleAnnotation = "dev.sigstore.cosign/bundle";

    private static readonly ConcurrentDictionary<string, Regex> Patterns = new(StringComparer.Ordinal);

    /// <summary>True when a legacy signature layer carries a keyless signature to verify.</summary>
    public static bool IsKeylessLayer(OciDescriptor layer) =>
        layer.MediaType == Cosign.SimpleSigningLayer && layer.Annotation(CertificateAnnotation) is not null;

    /// <summary>Verifies a legacy keyless signature layer and tells the collector who signed which digest.</summary>
    public void VerifyLayer(OciDescriptor layer, ReadOnlyMemory<byte> payload, FactsCollector collector)
    {
        if (layer.Annotation(CertificateAnnotation) is not { } certificate
            || layer.Annotation(Cosign.SignatureAnnotation) is not { } signature
            || layer.Annotation(RekorBundleAnnotation) is not { } rekor)
        {
            return;
        }

        Bundle bundle;
        try
        {
            bundle = CosignSignatureBundle.Create(certificate, signature, Encoding.UTF8.GetBytes(rekor));
        }
        catch (SigstoreVerificationException e)
        {
            collector.AddKeylessFailure(e.Message);
            return;
        }

        if (Signer(bundle, Artifact.FromBytes(payload.ToArray()), collector) is { } signer
            && CosignSignature.NamedDigest(payload.Span, collector.Keys.Annotations) is { } named)
        {
            collector.AddKeylessSignature(signer, named, Matching(collector.Keys.Keyless, signer));
        }
    }

    /// <summary>Verifies a keyless Sigstore bundle found as a referrer of <paramref name="digest"/>.</summary>
    public void VerifyBundle(ReadOnlySpan<byte> json, string digest, FactsCollector collector)
    {
        Bundle bundle;
        try
        {
            bundle = Bundle.Parse(json);
        }
        catch (SigstoreVerificationException)
        {
            return;
        }

        if (bundle.Certificate is null || !Artifact.TryParseDigest(digest, out var artifact))
        {
            return;
        }

        // An attestation (a DSSE statement of a predicate the entry judges, by its keyless signers) is verified as a
        // signature is, then counted for the identities it names; its subject must be the digest, as for a key's.
        var statement = bundle.Envelope is { } envelope ? InTotoStatement.Read(envelope.Payload) : null;
        if (statement is { PredicateType: not Cosign.SignPredicate } && collector.Keys.KeylessFor(statement.PredicateType) is { Count: > 0 } attesters)
        {
            if (statement.IsAbout(digest) && Signer(bundle, artifact, collector) is { } attester)
            {
                foreach (var identity in Matching(attesters, attester))
                {
                    if (Predicates.Fact(statement, identity) is { } fact)
                    {
                        collector.AddAttestation(fact);
                    }
                }
            }

            return;
        }

        // Annotations live in the simple-signing payload only: a bundle cannot carry them, so it cannot satisfy them.
        if (collector.Keys.Keyless.Count == 0 || collector.Keys.Annotations.Count > 0 || !IsSignature(bundle))
        {
            return;
        }

        if (Signer(bundle, artifact, collector) is { } signer)
        {
            collector.AddKeylessSignature(signer, digest, Matching(collector.Keys.Keyless, signer));
        }
    }

    /// <summary>The names of <paramref name="wanted"/> that no trusted root of the server has.</summary>
    public IReadOnlyList<string> Missing(IReadOnlyList<string> wanted) =>
        [.. wanted.Where(name => !all.Any(v => v.Root.Name == name))];

    // The verifiers of the roots an entry names, or every one when it names none.
    private IEnumerable<BundleVerifier> Verifiers(IReadOnlyList<string> names) =>
        names.Count == 0 ? all : all.Where(v => names.Contains(v.Root.Name, StringComparer.Ordinal));

    /// <summary>True when the identity is this signer: the issuer, the whole subject, and every extension it names.</summary>
    public static bool Matches(KeylessIdentity identity, FulcioIdentity signer)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(signer);
        if (signer.Issuer != identity.Issuer)
        {
            return false;
        }

        foreach (var (name, value) in identity.Extensions)
        {
            if (FulcioExtensions.OidOf(name) is not { } oid || signer.Extensions.GetValueOrDefault(oid) != value)
            {
                return false;
            }
        }

        return signer.SubjectAlternativeNames.Any(name => identity.Subject is { } subject ? name == subject : Pattern(identity.SubjectRegExp!).IsMatch(name));
    }

    private static List<string> Matching(IReadOnlyList<KeylessIdentity> identities, FulcioIdentity signer) =>
        [.. identities.Where(i => Matches(i, signer)).Select(i => i.Name)];

    // Compiled once per pattern, as the policy validator compiled it.
    private static Regex Pattern(string pattern) => Patterns.GetOrAdd(pattern, SubjectPattern.Compile);

    // A messageSignature signs the manifest; a DSSE envelope counts as a signature only as cosign's signature statement.
    private static bool IsSignature(Bundle bundle) =>
        bundle.Message is not null
        || (bundle.Envelope is { } envelope && InTotoStatement.Read(envelope.Payload) is { PredicateType: Cosign.SignPredicate });

    // The signer, from the first trusted root under which the bundle verifies in every step but the identity; when
    // none does, the collector is told why under the last root (an operator's own roots come after the built-in one).
    private FulcioIdentity? Signer(Bundle bundle, Artifact artifact, FactsCollector collector)
    {
        string? failure = null;
        foreach (var verifier in Verifiers(collector.Keys.TrustedRoots))
        {
            var result = verifier.VerifySigner(bundle, artifact);
            if (result is { Verified: true, Signer: { } signer })
            {
                return signer;
            }

            failure = result.Failure;
        }

        if (failure is not null)
        {
            collector.AddKeylessFailure(failure);
        }

        return null;
    }
}
