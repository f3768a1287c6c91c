using System.Text.Json;
using PolicyWebhook.Provenance.Registry;
using PolicyWebhook.Tests.Shared;

namespace PolicyWebhook.Provenance.Tests.Registry;

/// <summary>The client against the real docker-registry 2.8 serving the cosign and notation fixtures (tests/Shared/provenance).</summary>
public sealed class RegistryServerTests(RegistryServer server) : IClassFixture<RegistryServer>
{
    private static readonly string[][] Rows = [.. File.ReadAllLines(Path.Combine(RegistryServer.FixtureFolder, "index.tsv")).Skip(1)
        .Where(l => l.Length > 0).Select(l => l.Split('\t'))];

    public static TheoryData<string, string, string, string> Tagged =>
        [.. Rows.Where(r => r[1] != "-").Select(r => (r[0], r[1], r[2], r[3]))];

    public static TheoryData<string, string> Untagged => [.. Rows.Where(r => r[1] == "-").Select(r => (r[0], r[2]))];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(Tagged))]
    public async Task GetManifestAsync_TagInIndex_ResolvesToTheDigestOfItsRow(string repository, string tag, string digest, string kind)
    {
        var manifest = await Client().GetManifestAsync(server.Host, repository, tag, Ct);

        Assert.NotNull(manifest);
        Assert.Equal(digest, manifest.Digest);
        Assert.Equal(kind == "index" ? RegistryClient.OciIndex : RegistryClient.OciManifest, manifest.MediaType);
    }

    [Theory]
    [MemberData(nameof(Untagged))]
    public async Task GetManifestAsync_DigestInIndex_ReturnsBytesWithThatDigest(string repository, string digest)
    {
        var manifest = await Client().GetManifestAsync(server.Host, repository, digest, Ct);

        Assert.NotNull(manifest);
        Assert.Equal(digest, manifest.Digest);
        Assert.Equal(digest, Digests.Sha256(manifest.Bytes.Span));
    }

    [Theory]
    [InlineData("shop/app", "9.9")]
    [InlineData("shop/nothing", "1.0")]
    public async Task GetManifestAsync_UnknownTagOrRepository_ReturnsNull(string repository, string tag)
    {
        Assert.Null(await Client().GetManifestAsync(server.Host, repository, tag, Ct));
    }

    [Theory]
    [InlineData("1.1", 1)]
    [InlineData("1.2", 2)]
    [InlineData("1.4", 1)]
    public async Task GetReferrersAsync_NoReferrersApi_ListsTheManifestsOfTheReferrersTag(string tag, int count)
    {
        var recording = new RecordingHandler(RegistryClient.CreateHandler());
        var client = new RegistryClient(new HttpClient(recording), new RegistryOptions { InsecureRegistries = [server.Host] });
        var digest = Rows.Single(r => r[0] == "shop/app" && r[1] == tag)[2];

        var referrers = await client.GetReferrersAsync(server.Host, "shop/app", digest, Ct);

        Assert.NotNull(referrers);
        Assert.Equal(RegistryClient.OciIndex, referrers.MediaType);
        Assert.Equal(
            [$"/v2/shop/app/referrers/{digest}", $"/v2/shop/app/manifests/{digest.Replace(':', '-')}"],
            recording.Requests.Select(u => u.AbsolutePath));
        using var index = JsonDocument.Parse(referrers.Bytes);
        var listed = index.RootElement.GetProperty("manifests").EnumerateArray().Select(m => m.GetProperty("digest").GetString()!).ToList();
        Assert.Equal(count, listed.Count);
        foreach (var referrer in listed)
        {
            var manifest = await client.GetManifestAsync(server.Host, "shop/app", referrer, Ct);
            Assert.NotNull(manifest);
            using var json = JsonDocument.Parse(manifest.Bytes);
            Assert.Equal(digest, json.RootElement.GetProperty("subject").GetProperty("digest").GetString());
        }
    }

    [Theory]
    [InlineData("2.0")] // nothing at all
    [InlineData("1.0")] // legacy .sig and .att tags only, no referrers
    public async Task GetReferrersAsync_ImageWithoutReferrers_ReturnsNull(string tag)
    {
        var digest = Rows.Single(r => r[0] == "shop/app" && r[1] == tag)[2];

        Assert.Null(await Client().GetReferrersAsync(server.Host, "shop/app", digest, Ct));
    }

    [Fact]
    public async Task GetBlobAsync_ConfigOfAnImage_ReturnsItsBytesChecked()
    {
        var client = Client();
        var manifest = await client.GetManifestAsync(server.Host, "shop/app", "1.0", Ct);
        using var json = JsonDocument.Parse(manifest!.Bytes);
        var config = json.RootElement.GetProperty("config");

        var blob = await client.GetBlobAsync(server.Host, "shop/app", config.GetProperty("digest").GetString()!, Ct);

        Assert.Equal(config.GetProperty("size").GetInt32(), blob.Length);
        Assert.Equal(config.GetProperty("digest").GetString(), Digests.Sha256(blob.Span));
        Assert.Contains("\"os\"", System.Text.Encoding.UTF8.GetString(blob.Span), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetBlobAsync_UnknownDigest_ThrowsSayingTheRegistryHasNone()
    {
        var digest = "sha256:" + new string('0', 64);

        var error = await Assert.ThrowsAsync<RegistryContentException>(() => Client().GetBlobAsync(server.Host, "shop/app", digest, Ct));

        Assert.Equal($"registry {server.Host} has no blob {digest} in shop/app (404 Not Found)", error.Message);
    }

    private RegistryClient Client() =>
        new(new HttpClient(RegistryClient.CreateHandler()), new RegistryOptions { InsecureRegistries = [server.Host] });
}
