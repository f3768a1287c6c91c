using System.Text.Json;
using PolicyWebhook.Tests.Shared;

namespace PolicyWebhook.Cli.Tests;

/// <summary>
/// <c>verify-image</c> against Debian's docker-registry serving the real cosign/notation fixtures: every verdict of
/// index.tsv holds, with the exit codes CI pipelines read.
/// </summary>
public sealed class VerifyImageCommandTests(RegistryServer registry) : IClassFixture<RegistryServer>, IDisposable
{
    private static readonly string Keys = Path.Combine(RegistryServer.FixtureFolder, "keys");
    private static readonly string[] Header = File.ReadLines(Path.Combine(RegistryServer.FixtureFolder, "index.tsv")).First().Split('\t');
    private static readonly string[][] Rows = [.. File.ReadAllLines(Path.Combine(RegistryServer.FixtureFolder, "index.tsv")).Skip(1)
        .Where(l => l.Length > 0).Select(l => l.Split('\t'))];

    private readonly string _temp = Directory.CreateTempSubdirectory("policywebhook-cli-").FullName;

    public static TheoryData<string, string> KeyColumns() => new()
    {
        { "signed_by_A", Path.Combine("A", "cosign.pub") },
        { "signed_by_B", Path.Combine("B", "cosign.pub") },
        { "signed_by_ec_p256", Path.Combine("ec-p256", "ec-p256.pub.pem") },
        { "notation_fixtures_cert", Path.Combine("notation", "notation-fixtures.crt") },
    };

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task VerifyImage_KeylessIdentity_PassesTheWorkflowsImageAndNamesAnotherSigner()
    {
        using var sigstore = new TestSigstore();
        var root = Path.Combine(_temp, "trusted_root.json");
        await File.WriteAllBytesAsync(root, sigstore.TrustedRootJson, TestContext.Current.CancellationToken);
        var (release, releaseDigest) = await KeylessImages.PushLegacySignedAsync(sigstore, registry.Host, "keyless/release");
        var (bundled, _) = await KeylessImages.PushBundleSignedAsync(sigstore, registry.Host, "keyless/bundled");
        const string Dev = "https://github.com/example/app/.github/workflows/ci.yml@refs/heads/dev";
        var (dev, devDigest) = await KeylessImages.PushLegacySignedAsync(sigstore, registry.Host, "keyless/dev", new TestSigning { Subject = Dev });

        var (code, output, error) = Run(
            "verify-image", "--certificate-identity", TestSigstore.DefaultSubject, "--certificate-oidc-issuer", TestSigstore.DefaultIssuer,
            "--trusted-root", root, "--insecure-registry", registry.Host, release, bundled, dev);
        var (patternCode, _, _) = Run(
            "verify-image", "--certificate-identity-regexp", @"https://github\.com/example/app/\.github/workflows/.+", "--certificate-oidc-issuer", TestSigstore.DefaultIssuer,
            "--trusted-root", root, "--insecure-registry", registry.Host, release, dev);

        Assert.Equal(CliApp.Denied, code);
        Assert.Equal(string.Empty, error);
        Assert.Contains($"PASS {release} ({releaseDigest}): signed by \"{TestSigstore.DefaultSubject}\"", output, StringComparison.Ordinal);
        Assert.Contains($"PASS {bundled} (", output, StringComparison.Ordinal);
        Assert.Contains($"FAIL {dev} ({devDigest})", output, StringComparison.Ordinal);
        Assert.Contains($"is signed by {Dev} (issuer {TestSigstore.DefaultIssuer}), not by any trusted identity (entry \"--certificate-identity\")", output, StringComparison.Ordinal);
        Assert.Equal(CliApp.Allowed, patternCode);
    }

    [Theory]
    [InlineData("--certificate-identity", "x")]
    [InlineData("--certificate-oidc-issuer", "https://accounts.google.com")]
    [InlineData("--certificate-identity", "x", "--certificate-identity-regexp", "y", "--certificate-oidc-issuer", "https://accounts.google.com")]
    [InlineData("--certificate-identity-regexp", "(a)\\1", "--certificate-oidc-issuer", "https://accounts.google.com")]
    public void VerifyImage_KeylessFlagsIncomplete_IsBadUsage(params string[] flags)
    {
        var (code, _, error) = Run(["verify-image", .. flags, "registry.example.com/app:1.0"]);

        Assert.Equal(CliApp.BadInput, code);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(KeyColumns))]
    public void VerifyImage_WithKey_EveryFixtureVerdictHolds(string column, string key)
    {
        foreach (var row in Rows)
        {
            var image = Image(row);
            var (code, output, error) = Run("verify-image", "--key", Path.Combine(Keys, key), "--insecure-registry", registry.Host, image);

            var expected = row[Array.IndexOf(Header, column)] == "pass";
            Assert.True(code == (expected ? CliApp.Allowed : CliApp.Denied), $"{column} {image}: exit {code}\n{output}{error}");
            Assert.StartsWith(expected ? "PASS " : "FAIL ", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void VerifyImage_WithPolicyRequiringACleanScan_EveryFixtureVerdictHolds()
    {
        var policy = Path.Combine(_temp, "scanned.yaml");
        var pem = File.ReadAllText(Path.Combine(Keys, "S", "cosign.pub")).Trim().Replace("\n", "\n                    ", StringComparison.Ordinal);
        File.WriteAllText(policy, $"""
            apiVersion: policywebhook.io/v1alpha1
            kind: ClusterPolicy
            metadata:
              name: scanned
            spec:
              rules:
                imageVerification:
                  entries:
                    - name: scanned
                      images: ["{registry.Host}/*"]
                      attestations:
                        vulnerabilities:
                          keys:
                            - name: scanner
                              publicKey: |
                                {pem}
                          maximumSeverity: HIGH
            """);

        foreach (var row in Rows)
        {
            var (code, output, error) = Run("verify-image", "--policy", policy, "--insecure-registry", registry.Host, Image(row));

            var expected = row[Array.IndexOf(Header, "attested_by_S_no_critical")] == "pass";
            Assert.True(code == (expected ? CliApp.Allowed : CliApp.Denied), $"{Image(row)}: exit {code}\n{output}{error}");
        }

        var (_, critical, _) = Run("verify-image", "--policy", policy, "--insecure-registry", registry.Host, $"{registry.Host}/shop/app:1.3");
        Assert.Contains("  has CVE-2024-3094 CRITICAL above the allowed HIGH (entry \"scanned\")", critical, StringComparison.Ordinal);
    }

    [Fact]
    public void VerifyImage_TheReadmesExample_IsWhatItPrints()
    {
        var key = Path.Combine(_temp, "cosign.pub");
        File.Copy(Path.Combine(Keys, "A", "cosign.pub"), key);

        var (code, output, _) = Run("verify-image", "--key", key, "--insecure-registry", registry.Host, $"{registry.Host}/shop/app:1.0", $"{registry.Host}/shop/app:2.0");

        Assert.Equal(CliApp.Denied, code);
        // The README runs it from the key's folder against a registry on localhost:5000.
        var printed = output.Replace(_temp + Path.DirectorySeparatorChar, "", StringComparison.Ordinal).Replace(registry.Host, "localhost:5000", StringComparison.Ordinal)
            .ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        var readme = ReadmeBlocks.Block(Root(), "verify-image");
        Assert.StartsWith("$ policywebhook verify-image --key cosign.pub --insecure-registry localhost:5000 localhost:5000/shop/app:1.0 localhost:5000/shop/app:2.0", readme[0], StringComparison.Ordinal);
        ReadmeBlocks.AssertShows(readme.Skip(1).ToList(), printed);
    }

    [Fact]
    public void VerifyImage_Json_NamesDigestSignersAndReasons()
    {
        var (code, output, _) = Run("verify-image", "--key", Path.Combine(Keys, "A", "cosign.pub"), "--insecure-registry", registry.Host, "--format", "json", $"{registry.Host}/shop/app:2.0");

        Assert.Equal(CliApp.Denied, code);
        var image = JsonDocument.Parse(output).RootElement.GetProperty("images")[0];
        Assert.Equal("sha256:0421e0e84e255e7cd0af86e30b975ac74b54c0514798fb932770cdfb1dd1dc0f", image.GetProperty("digest").GetString());
        Assert.False(image.GetProperty("passed").GetBoolean());
        Assert.Equal("has no signature by any of the 1 trusted key", image.GetProperty("entries")[0].GetProperty("reasons")[0].GetString());
    }

    [Fact]
    public void VerifyImage_RegistryNotReachable_ExitsTwoSayingWhy()
    {
        var (code, output, _) = Run("verify-image", "--key", Path.Combine(Keys, "A", "cosign.pub"), "--insecure-registry", "127.0.0.1:9", "127.0.0.1:9/shop/app:1.0");

        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains("could not be verified: registry 127.0.0.1:9 could not be reached", output, StringComparison.Ordinal);
    }

    [Fact]
    public void VerifyImage_NoKeyAndNoPolicy_IsBadUsage()
    {
        var (code, _, error) = Run("verify-image", $"{registry.Host}/shop/app:1.0");

        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains("give --key, --certificate-identity with --certificate-oidc-issuer, or --policy", error, StringComparison.Ordinal);
    }

    [Fact]
    public void VerifyImage_KeyThatIsNotAPublicKey_IsBadUsage()
    {
        var garbage = Path.Combine(_temp, "garbage.pem");
        File.WriteAllText(garbage, "not a key");

        var (code, _, error) = Run("verify-image", "--key", garbage, $"{registry.Host}/shop/app:1.0");

        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains($"--key {garbage}: not a PEM PUBLIC KEY", error, StringComparison.Ordinal);
    }

    private string Image(string[] row) => row[1] == "-" ? $"{registry.Host}/{row[0]}@{row[2]}" : $"{registry.Host}/{row[0]}:{row[1]}";

    private static string Root() => Path.GetFullPath(Path.Combine(RegistryServer.FixtureFolder, "..", "..", ".."));

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = CliApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
