namespace PolicyWebhook.Engine.Tests;

public sealed class PssVersionTests
{
    [Theory]
    [InlineData("latest", int.MaxValue)]
    [InlineData("v1.0", 0)]
    [InlineData("v1.35", 35)]
    [InlineData("v1.40", 40)]
    public void TryParse_ValidText_GivesTheMinor(string text, int minor)
    {
        Assert.True(PssVersion.TryParse(text, out var version));
        Assert.Equal(minor, version.Minor);
        Assert.Equal(text, version.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("1.25")]
    [InlineData("v2.0")]
    [InlineData("v1.")]
    [InlineData("v1.025")]
    [InlineData("v1.x")]
    [InlineData("Latest")]
    public void TryParse_InvalidText_Fails(string text) => Assert.False(PssVersion.TryParse(text, out _));

    [Fact]
    public void EffectiveMinor_LatestAndFutureVersions_ResolveToNewestKnown()
    {
        Assert.Equal(PssVersion.NewestKnownMinor, PssVersion.Latest.EffectiveMinor);
        Assert.Equal(PssVersion.NewestKnownMinor, PssVersion.Parse("v1.99").EffectiveMinor);
        Assert.Equal(19, PssVersion.Parse("v1.19").EffectiveMinor);
    }

    [Fact]
    public void EffectiveMinor_V1Dot36_IsKnownAndWhatLatestMeans()
    {
        Assert.Equal(36, PssVersion.Parse("v1.36").EffectiveMinor);
        Assert.Equal(36, PssVersion.Latest.EffectiveMinor);
    }
}
