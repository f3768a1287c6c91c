using PolicyWebhook.Tests.Shared;

namespace PolicyWebhook.Cli.Tests;

/// <summary><c>trusted-root</c>: what a Sigstore trusted root trusts, and until when.</summary>
public sealed class TrustedRootCommandTests() : CliTestFolder("policywebhook-roots-")
{
    [Fact]
    public void TrustedRoot_BuiltIn_IsWhatTheReadmeShows()
    {
        var (code, output, error) = Run(null, "trusted-root");

        Assert.Equal(CliApp.Allowed, code);
        Assert.Equal(string.Empty, error);
        var readme = ReadmeBlocks.Block(SigstoreConformance.RepositoryRoot, "trusted-root");
        Assert.Equal("$ policywebhook trusted-root", readme[0]);
        Assert.Equal(readme.Skip(1), output.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void TrustedRoot_File_ListsItsAuthoritiesAndLogs()
    {
        using var sigstore = new TestSigstore();
        var file = Path.Combine(Temp, "trusted_root.json");
        File.WriteAllBytes(file, sigstore.TrustedRootJson);

        var (code, output, _) = Run(null, "trusted-root", file);

        Assert.Equal(CliApp.Allowed, code);
        Assert.StartsWith(file + "\nFulcio certificate authorities: 1\n  " + TestSigstore.FulcioUrl + "  from ", output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("transparency logs: 1\n  " + TestSigstore.RekorUrl + "  from ", output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void TrustedRoot_FileThatIsNoRoot_ExitsTwoNamingIt()
    {
        var file = Write("broken.json", "{\"tlogs\": [{}]}");

        var (code, _, error) = Run(null, "trusted-root", file);

        Assert.Equal(CliApp.BadInput, code);
        Assert.StartsWith($"error: {file}: trusted root: ", error, StringComparison.Ordinal);
    }
}
