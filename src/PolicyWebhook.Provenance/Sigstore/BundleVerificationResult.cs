namespace PolicyWebhook.Provenance.Sigstore;

/// <summary>
/// A bundle's verdict: verified, with the signer and the times the signature was vouched for, or not, with the step
/// that failed and why (<c>certificate chain: …</c>, <c>identity: signed by X (issuer Y), not by Z</c>).
/// </summary>
public sealed record BundleVerificationResult(bool Verified, string? Failure, FulcioIdentity? Signer, IReadOnlyList<DateTimeOffset> SigningTimes)
{
    public static BundleVerificationResult Passed(FulcioIdentity? signer, IReadOnlyList<DateTimeOffset> times) => new(true, null, signer, times);

    public static BundleVerificationResult Failed(string failure) => new(false, failure, null, []);
}
