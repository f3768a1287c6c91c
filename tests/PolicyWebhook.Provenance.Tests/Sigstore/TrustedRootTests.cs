using System.Text;
using System.Text.Json.Nodes;
using PolicyWebhook.Provenance.Sigstore;
using PolicyWebhook.Tests.Shared;

namespace PolicyWebhook.Provenance.Tests.Sigstore;

/// <summary>The trusted root: what the embedded production root holds, inclusive windows, and malformed roots refused.</summary>
public sealed class TrustedRootTests
{
    [Fact]
    public void Production_Embedded_HoldsBothRekorLogsFulcioCasCtLogsAndTheTsa()
    {
        var root = TrustedRoot.Production;

        Assert.Equal(["https://rekor.sigstore.dev", "https://log2025-1.rekor.sigstore.dev"], root.TransparencyLogs.Select(l => l.BaseUrl));
        Assert.Equal(2, root.CertificateAuthorities.Count);
        Assert.Equal(2, root.CtLogs.Count);
        Assert.Single(root.TimestampAuthorities);
        Assert.Equal(PolicyWebhook.Provenance.Keys.TrustedKeyAlgorithm.Ed25519, root.TransparencyLogs[1].Key.Algorithm);
    }

    [Fact]
    public void Production_ComparedWithTheSharedSnapshot_HasTheSameLogsAndCas()
    {
        var shared = TrustedRoot.Parse(File.ReadAllBytes(SigstoreConformance.PathOf("trusted_root.production.json")));

        Assert.Equal(shared.TransparencyLogs.Select(l => Convert.ToBase64String(l.KeyId)), TrustedRoot.Production.TransparencyLogs.Select(l => Convert.ToBase64String(l.KeyId)));
        Assert.Equal(shared.CertificateAuthorities.Select(c => c.Root.Thumbprint), TrustedRoot.Production.CertificateAuthorities.Select(c => c.Root.Thumbprint));
    }

    [Fact]
    public void Contains_TheEnd_IsIncluded()
    {
        var end = DateTimeOffset.Parse("2023-07-12T15:56:36Z", null);
        var window = new TimeWindow(end.AddDays(-1), end);

        Assert.True(window.Contains(end));
        Assert.True(window.Contains(end.AddDays(-1)));
        Assert.False(window.Contains(end.AddTicks(1)));
        Assert.False(window.Contains(end.AddDays(-1).AddTicks(-1)));
    }

    [Fact]
    public void Contains_WindowWithoutEnd_IsOpen()
    {
        var window = new TimeWindow(DateTimeOffset.UnixEpoch, null);

        Assert.True(window.Contains(DateTimeOffset.MaxValue));
    }

    [Fact]
    public void Parse_TlogWithoutValidityStart_IsRefused()
    {
        var json = JsonNode.Parse(File.ReadAllText(SigstoreConformance.PathOf("trusted_root.production.json")))!;
        json["tlogs"]![0]!["publicKey"]!["validFor"]!.AsObject().Remove("start");

        var e = Assert.Throws<SigstoreVerificationException>(() => TrustedRoot.Parse(Encoding.UTF8.GetBytes(json.ToJsonString())));

        Assert.Equal("trusted root: tlogs[0] (https://rekor.sigstore.dev) has no publicKey.validFor.start", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("[]")]
    [InlineData("{\"mediaType\":\"application/json\"}")]
    [InlineData("{\"mediaType\":\"application/vnd.dev.sigstore.trustedroot+json;version=0.1\",\"tlogs\":[{\"publicKey\":{}}]}")]
    [InlineData("{\"mediaType\":\"application/vnd.dev.sigstore.trustedroot+json;version=0.1\",\"certificateAuthorities\":[{\"validFor\":{\"start\":\"2021-01-01T00:00:00Z\"},\"certChain\":{\"certificates\":[{\"rawBytes\":\"AAAA\"}]}}]}")]
    public void Parse_Malformed_IsRefusedWithTheStep(string json)
    {
        var e = Assert.Throws<SigstoreVerificationException>(() => TrustedRoot.Parse(Encoding.UTF8.GetBytes(json)));

        Assert.Equal("trusted root", e.Step);
    }
}
