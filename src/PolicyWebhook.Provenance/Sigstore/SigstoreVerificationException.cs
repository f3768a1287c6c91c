namespace PolicyWebhook.Provenance.Sigstore;

/// <summary>
/// Why a bundle did not verify: the step that failed (<c>certificate chain</c>, <c>log inclusion</c>...) and what was
/// wrong. Thrown inside the verifier only, and turned into a <see cref="BundleVerificationResult"/> at its edge.
/// </summary>
public sealed class SigstoreVerificationException : Exception
{
    public SigstoreVerificationException()
        : this("bundle", "not verified")
    {
    }

    public SigstoreVerificationException(string message)
        : this("bundle", message)
    {
    }

    public SigstoreVerificationException(string message, Exception innerException)
        : base(message, innerException) => Step = "bundle";

    public SigstoreVerificationException(string step, string message)
        : base($"{step}: {message}") => Step = step;

    /// <summary>The verification step that failed, as it begins the message.</summary>
    public string Step { get; }
}
