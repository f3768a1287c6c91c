using Microsoft.Extensions.Time.Testing;
using PolicyWebhook.Engine.Images;

namespace PolicyWebhook.Provenance.Tests.Keys;

/// <summary>The fingerprint of a mounted key file: what the verification cache keys verdicts by, so a rotated key counts.</summary>
public sealed class DirectoryKeyMaterialTests : IDisposable
{
    private static readonly TrustedKeySource FromSecret = new("A", SecretName: "cosign-keys", Key: "A.pub");
    private readonly string _folder = Directory.CreateTempSubdirectory("policywebhook-keys-").FullName;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-27T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    public DirectoryKeyMaterialTests() => Directory.CreateDirectory(Path.Combine(_folder, "secrets", "cosign-keys"));

    private string KeyFile => Path.Combine(_folder, "secrets", "cosign-keys", "A.pub");

    [Fact]
    public void Fingerprint_KeyFileReplaced_ChangesOnceTheRecheckIntervalHasPassed()
    {
        var keys = new DirectoryKeyMaterial(_folder, TimeSpan.FromSeconds(2), _time);
        File.WriteAllText(KeyFile, "old PEM");

        var before = keys.Fingerprint(FromSecret);
        File.WriteAllText(KeyFile, "new PEM");
        var withinTheInterval = keys.Fingerprint(FromSecret);
        _time.Advance(TimeSpan.FromSeconds(2));
        var after = keys.Fingerprint(FromSecret);

        Assert.Equal(before, withinTheInterval);
        Assert.NotEqual(before, after);
        Assert.Matches("^[0-9a-f]{16}$", after);
    }

    [Fact]
    public void Fingerprint_SameText_IsTheSame()
    {
        File.WriteAllText(KeyFile, "PEM");

        var first = new DirectoryKeyMaterial(_folder, TimeSpan.Zero, _time).Fingerprint(FromSecret);
        var second = new DirectoryKeyMaterial(_folder, TimeSpan.Zero, _time).Fingerprint(FromSecret);

        Assert.Equal(first, second);
    }

    [Fact]
    public void Fingerprint_MissingKeyFile_IsADashRatherThanAnError()
    {
        var keys = new DirectoryKeyMaterial(_folder, TimeSpan.Zero, _time);

        Assert.Equal("-", keys.Fingerprint(FromSecret));
    }

    [Fact]
    public void Fingerprint_InlinePemOrNoFolderOrAPathOutOfTheFolder_IsEmpty()
    {
        var keys = new DirectoryKeyMaterial(_folder, TimeSpan.Zero, _time);

        Assert.Equal(string.Empty, keys.Fingerprint(new TrustedKeySource("inline", Pem: "PEM")));
        Assert.Equal(string.Empty, keys.Fingerprint(new TrustedKeySource("escape", SecretName: "..", Key: "A.pub")));
        Assert.Equal(string.Empty, new DirectoryKeyMaterial(null).Fingerprint(FromSecret));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
