using System.Security.Cryptography;
using PolicyWebhook.Tests.Shared;

namespace PolicyWebhook.Cli.Tests;

/// <summary>
/// <c>verify-bundle</c> over every case of sigstore-conformance's bundle-verify suite (tests/Shared/sigstore-conformance/index.tsv), with
/// the artifact as a file and as its <c>sha256:</c> digest, as the suite drives a client; each failing case fails at the
/// step its README names.
/// </summary>
public sealed class VerifyBundleCommandTests
{
    // The step each failing case must fail at: the start of its FAIL line ("error" is bad usage, a key that does not parse).
    private static readonly Dictionary<string, string> FailingSteps = new(StringComparer.Ordinal)
    {
        ["bundle-empty-certificate-chain_fail"] = "bundle",
        ["bundle-from-wrong-instance_fail"] = "log entry",
        ["bundle-invalid-base64-signature_fail"] = "bundle",
        ["bundle-malformed-json_fail"] = "bundle",
        ["bundle-negative-log-index_fail"] = "bundle",
        ["bundle-unknown-version_fail"] = "bundle",
        ["bundle-with-root-cert_fail"] = "certificate chain",
        ["checkpoint-bad-keyhint_fail"] = "checkpoint",
        ["checkpoint-wrong-roothash_fail"] = "checkpoint",
        ["dsse-invalid-sig_fail"] = "signature",
        ["dsse-mismatch-envelope_fail"] = "log entry",
        ["dsse-mismatch-sig_fail"] = "log entry",
        ["inclusion-proof-corrupted-hash_fail"] = "log inclusion",
        ["incorrect-public-key_fail"] = "log entry",
        ["integrated-time-in-future_fail"] = "certificate chain",
        ["intoto-expired-certificate_fail"] = "certificate chain",
        ["intoto-log-entry-mismatch_fail"] = "log entry",
        ["intoto-missing-inclusion-proof_fail"] = "log inclusion",
        ["intoto-set-outside-signing-cert-validity_fail"] = "certificate chain",
        ["intoto-tsa-timestamp-outside-cert-validity_fail"] = "certificate chain",
        ["invalid-checkpoint-signature_fail"] = "checkpoint",
        ["invalid-ct-key_fail"] = "SCT",
        ["invalid-inclusion-proof_fail"] = "log inclusion",
        ["managed-key-no-key_fail"] = "certificate",
        ["managed-key-wrong-key_fail"] = "error",
        ["message-digest-mismatch_fail"] = "signature",
        ["rekor2-checkpoint-missing-log-signature_fail"] = "checkpoint",
        ["rekor2-checkpoint-missing-origin_fail"] = "checkpoint",
        ["rekor2-checkpoint-missing-root-hash_fail"] = "checkpoint",
        ["rekor2-checkpoint-missing-size_fail"] = "checkpoint",
        ["rekor2-checkpoint-no-matching-signature_fail"] = "checkpoint",
        ["rekor2-dsse-invalid-sig_fail"] = "signature",
        ["rekor2-dsse-mismatch-envelope_fail"] = "log entry",
        ["rekor2-dsse-mismatch-sig_fail"] = "log entry",
        ["rekor2-no-inclusion-proof_fail"] = "log inclusion",
        ["rekor2-no-timestamp_fail"] = "timestamp",
        ["rekor2-timestamp-outside-trust-root-tsa-validity_fail"] = "timestamp",
        ["rekor2-timestamp-outside-tsa-cert-validity_fail"] = "timestamp",
        ["rekor2-timestamp-payload-mismatch_fail"] = "timestamp",
        ["rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail"] = "timestamp",
        ["rekor2-timestamp-untrusted-tsa-without-embedded-cert_fail"] = "timestamp",
        ["rekor2-timestamp-with-incorrect-time_fail"] = "certificate chain",
        ["set-invalid-signature_fail"] = "signed entry timestamp",
        ["signature-mismatch_fail"] = "signature",
        ["trust-root-tlog-missing-validity-start_fail"] = "trusted root",
        ["wrong-hashedrekord-artifact_fail"] = "log entry",
        ["wrong-hashedrekord-cert-and-sig_fail"] = "log entry",
        ["wrong-hashedrekord-entry_fail"] = "log entry",
        ["wrong-material_fail"] = "signature",
    };

    public static TheoryData<string, bool> Cases()
    {
        var data = new TheoryData<string, bool>();
        foreach (var row in SigstoreConformance.Rows())
        {
            data.Add(row["case"], false);
            data.Add(row["case"], true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void VerifyBundle_ConformanceCase_VerdictMatchesExpect(string name, bool asDigest)
    {
        var row = SigstoreConformance.Rows().Single(r => r["case"] == name);
        var artifact = SigstoreConformance.PathOf(row["artifact"]);
        if (asDigest)
        {
            artifact = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(artifact)));
        }

        List<string> args = ["verify-bundle", "--bundle", SigstoreConformance.PathOf(row["bundle"])];
        args.AddRange(row["mode"] == "key"
            ? ["--key", SigstoreConformance.PathOf(row["key"])]
            : ["--certificate-identity", row["identity"], "--certificate-oidc-issuer", row["issuer"]]);
        args.AddRange(["--trusted-root", SigstoreConformance.PathOf(row["trusted_root"]), artifact]);

        var (code, output, error) = Run([.. args]);

        if (row["expect"] == "pass")
        {
            Assert.True(code == CliApp.Allowed, $"{name}: exit {code}\n{output}{error}");
            Assert.StartsWith("OK: ", output, StringComparison.Ordinal);
            return;
        }

        var step = FailingSteps[name];
        if (step == "error")
        {
            Assert.Equal(CliApp.BadInput, code);
            Assert.StartsWith("error: ", error, StringComparison.Ordinal);
            return;
        }

        Assert.True(code == CliApp.Denied, $"{name}: exit {code}\n{output}{error}");
        Assert.StartsWith($"FAIL: {step}: ", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void FailingSteps_EveryFailingCase_IsListed()
    {
        var failing = SigstoreConformance.Rows().Where(r => r["expect"] == "fail").Select(r => r["case"]).Order(StringComparer.Ordinal);

        Assert.Equal(failing, FailingSteps.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void VerifyBundle_WithoutTrustedRoot_UsesTheEmbeddedProductionRoot()
    {
        var row = SigstoreConformance.Rows().Single(r => r["case"] == "happy-path-v0.3");

        var (code, output, error) = Run(
            "verify-bundle", "--bundle", SigstoreConformance.PathOf(row["bundle"]),
            "--certificate-identity", row["identity"], "--certificate-oidc-issuer", row["issuer"],
            SigstoreConformance.PathOf(row["artifact"]));

        Assert.True(code == CliApp.Allowed, output + error);
        Assert.Contains($"signed by {row["identity"]} (issuer {row["issuer"]})", output, StringComparison.Ordinal);
    }

    [Fact]
    public void VerifyBundle_OtherIdentity_FailsNamingTheSigner()
    {
        var row = SigstoreConformance.Rows().Single(r => r["case"] == "happy-path-v0.3");

        var (code, _, error) = Run(
            "verify-bundle", "--bundle", SigstoreConformance.PathOf(row["bundle"]),
            "--certificate-identity", "https://example.com/other", "--certificate-oidc-issuer", row["issuer"],
            SigstoreConformance.PathOf(row["artifact"]));

        Assert.Equal(CliApp.Denied, code);
        Assert.Equal($"FAIL: identity: signed by {row["identity"]} (issuer {row["issuer"]}), not by https://example.com/other (issuer {row["issuer"]})", error.Trim());
    }

    [Theory]
    [InlineData("--key", "k.pub", "--certificate-identity", "x")]
    [InlineData("--certificate-identity", "x")]
    public void VerifyBundle_IdentityAndKeyMixedOrIncomplete_IsBadUsage(params string[] options)
    {
        var (code, _, error) = Run(["verify-bundle", "--bundle", "b.json", .. options, "a.txt"]);

        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains("give --certificate-identity and --certificate-oidc-issuer, or --key", error, StringComparison.Ordinal);
    }

    [Fact]
    public void VerifyBundle_MissingBundleFile_IsBadUsage()
    {
        var (code, _, error) = Run("verify-bundle", "--bundle", "/nonexistent/b.json", "--key", "k.pub", "a.txt");

        Assert.Equal(CliApp.BadInput, code);
        Assert.StartsWith("error: cannot read --bundle /nonexistent/b.json", error, StringComparison.Ordinal);
    }

    [Fact]
    public void VerifyBundle_TheReadmesTranscript_IsWhatItPrints()
    {
        var readme = ReadmeBlocks.Block(SigstoreConformance.RepositoryRoot, "verify-bundle");
        var row = SigstoreConformance.Rows().Single(r => r["case"] == "happy-path-v0.3");
        var (bundle, artifact, issuer) = (SigstoreConformance.PathOf(row["bundle"]), SigstoreConformance.PathOf(row["artifact"]), row["issuer"]);

        // The README's two commands, with the embedded production root as there; its bundle and file are these.
        var (verified, output, _) = Run("verify-bundle", "--bundle", bundle, "--certificate-identity", row["identity"], "--certificate-oidc-issuer", issuer, artifact);
        var (refused, _, error) = Run("verify-bundle", "--bundle", bundle, "--certificate-identity", "https://github.com/acme/shop/.github/workflows/release.yml@refs/heads/main", "--certificate-oidc-issuer", issuer, artifact);

        Assert.Equal(0, verified);
        Assert.Equal(1, refused);
        var printed = (output + error).ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        ReadmeBlocks.AssertShows([.. readme.Where(l => !l.StartsWith('$') && !l.StartsWith(' '))], printed);
    }

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = CliApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
