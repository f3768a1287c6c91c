using PolicyWebhook.Provenance.Sigstore;
using PolicyWebhook.Tests.Shared;

namespace PolicyWebhook.Provenance.Tests.Sigstore;

/// <summary>The trusted roots the server verifies keyless signatures against: the built-in one and a mounted folder's.</summary>
public sealed class TrustedRootsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("policywebhook-roots-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Load_NoFolder_IsTheBuiltInRootAlone() =>
        Assert.Same(TrustedRoot.Production, Assert.Single(TrustedRoots.Load(null)));

    [Fact]
    public void Load_MountedFolder_AddsEachJsonFileAfterTheBuiltInRootAndSkipsTheKubeletsOwn()
    {
        using var sigstore = new TestSigstore();
        File.WriteAllBytes(Path.Combine(_folder, "private.json"), sigstore.TrustedRootJson);
        Directory.CreateDirectory(Path.Combine(_folder, "..2026_12_08"));
        File.WriteAllText(Path.Combine(_folder, "README.txt"), "not a root");

        var roots = TrustedRoots.Load(_folder);
        var onlyMounted = TrustedRoots.Load(_folder, includeEmbedded: false);

        Assert.Equal(2, roots.Count);
        Assert.Same(TrustedRoot.Production, roots[0]);
        Assert.NotSame(TrustedRoot.Production, Assert.Single(onlyMounted));
    }

    [Fact]
    public void Load_FileThatIsNoTrustedRoot_IsRefusedNamingTheFile()
    {
        var broken = Path.Combine(_folder, "broken.json");
        File.WriteAllText(broken, "{\"mediaType\": \"application/vnd.dev.sigstore.trustedroot+json;version=0.1\", \"tlogs\": [{}]}");

        var e = Assert.Throws<FormatException>(() => TrustedRoots.Load(_folder));

        Assert.StartsWith($"{broken}: not a Sigstore trusted root: ", e.Message, StringComparison.Ordinal);
    }
}
