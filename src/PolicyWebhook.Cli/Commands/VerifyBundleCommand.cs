using System.CommandLine;
using PolicyWebhook.Provenance.Keys;
using PolicyWebhook.Provenance.Sigstore;

namespace PolicyWebhook.Cli.Commands;

/// <summary>
/// <c>verify-bundle</c>: verifies a Sigstore bundle offline over an artifact (a file, or <c>sha256:</c> and its digest),
/// against a keyless identity or a public key, as sigstore-conformance drives a client.
/// </summary>
internal static class VerifyBundleCommand
{
    public static string Description { get; } =
        "Verify a Sigstore bundle offline over an artifact (a file, or sha256:<hex>): signed by a Fulcio certificate of "
        + "--certificate-identity and --certificate-oidc-issuer, or by --key; logged, timestamped and chained to --trusted-root "
        + "(default: the embedded Sigstore public-good root, " + TrustedRoot.ProductionDate + ").\n"
        + "Exit codes: 0 verified; 1 not verified; 2 bad usage.";

    public static Command Create(TextWriter output, TextWriter error)
    {
        var artifact = new Argument<string>("FILE_OR_DIGEST") { Description = "The signed artifact, or sha256:<64 hex digits>." };
        var bundle = new Option<string>("--bundle") { Description = "The Sigstore bundle (JSON).", Required = true };
        var identity = new Option<string?>("--certificate-identity") { Description = "The identity (URI or email) the signing certificate must name." };
        var issuer = new Option<string?>("--certificate-oidc-issuer") { Description = "The OIDC issuer the signing certificate must name." };
        var key = new Option<string?>("--key") { Description = "A PEM public key that must have made the signature, instead of an identity." };
        var trustedRoot = new Option<string?>("--trusted-root") { Description = "A Sigstore trusted_root.json. Default: the embedded public-good root." };
        var command = new Command("verify-bundle", Description) { artifact, bundle, identity, issuer, key, trustedRoot };
        command.SetAction(parsed =>
        {
            var identityValue = parsed.GetValue(identity);
            var issuerValue = parsed.GetValue(issuer);
            var keyFile = parsed.GetValue(key);
            if (keyFile is not null ? identityValue is not null || issuerValue is not null : identityValue is null || issuerValue is null)
            {
                error.WriteLine("error: give --certificate-identity and --certificate-oidc-issuer, or --key, not both");
                return CliApp.BadInput;
            }

            if (!Read(parsed.GetValue(bundle)!, "--bundle", Bundle.MaxBytes, error, out var bundleBytes)
                || !ReadArtifact(parsed.GetValue(artifact)!, error, out var subject))
            {
                return CliApp.BadInput;
            }

            TrustedKey? trustedKey = null;
            if (keyFile is not null)
            {
                if (!Read(keyFile, "--key", 64 * 1024, error, out var pem))
                {
                    return CliApp.BadInput;
                }

                if (!TrustedKey.TryParse(System.Text.Encoding.UTF8.GetString(pem), out trustedKey, out var problem) || trustedKey.Certificate is not null)
                {
                    error.WriteLine($"error: --key {keyFile}: {problem ?? "a certificate, not a PUBLIC KEY"}");
                    return CliApp.BadInput;
                }
            }

            var root = TrustedRoot.Production;
            if (parsed.GetValue(trustedRoot) is { } rootFile)
            {
                if (!Read(rootFile, "--trusted-root", TrustedRoot.MaxBytes, error, out var rootBytes))
                {
                    return CliApp.BadInput;
                }

                try
                {
                    root = TrustedRoot.Parse(rootBytes);
                }
                catch (SigstoreVerificationException e)
                {
                    // A malformed root trusts nothing: the bundle is not verified (sigstore-conformance's trust-root cases).
                    error.WriteLine("FAIL: " + e.Message);
                    return CliApp.Denied;
                }
            }

            var verifier = new BundleVerifier(root);
            var result = trustedKey is not null
                ? verifier.VerifyWithKey(bundleBytes, subject, trustedKey)
                : verifier.VerifyKeyless(bundleBytes, subject, CertificateIdentity.Exact(identityValue!, issuerValue!));
            if (!result.Verified)
            {
                error.WriteLine("FAIL: " + result.Failure);
                return CliApp.Denied;
            }

            var by = result.Signer is { } signer ? $"signed by {signer.Subject} (issuer {signer.Issuer})" : "signed by the key";
            var when = result.SigningTimes.Count > 0 ? $" at {result.SigningTimes.Min():u}" : string.Empty;
            output.WriteLine($"OK: {subject.Digest} {by}{when}");
            return CliApp.Allowed;
        });
        return command;
    }

    // A digest when it has the form and names no file (the conformance protocol's rule); otherwise a file.
    private static bool ReadArtifact(string value, TextWriter error, out Artifact artifact)
    {
        if (!File.Exists(value) && Artifact.TryParseDigest(value, out var digest))
        {
            artifact = digest;
            return true;
        }

        try
        {
            artifact = Artifact.FromFile(value);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: cannot read the artifact {value}: {e.Message}");
            artifact = null!;
            return false;
        }
    }

    private static bool Read(string path, string option, int limit, TextWriter error, out byte[] bytes)
    {
        bytes = [];
        try
        {
            var info = new FileInfo(path);
            if (info.Exists && info.Length > limit)
            {
                error.WriteLine($"error: {option} {path} is larger than {limit} bytes");
                return false;
            }

            bytes = File.ReadAllBytes(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: cannot read {option} {path}: {e.Message}");
            return false;
        }
    }
}
