using PolicyWebhook.Tests.Shared;

namespace PolicyWebhook.Host.Tests.Images;

/// <summary>
/// A trusted key replaced in its mounted Secret counts for the next verdict: the cache never answers with a verdict
/// made with the key that was there before. The key files are re-read on every admission here (a zero recheck interval).
/// </summary>
public sealed class KeyRotationAdmissionTests(RegistryServer registry) : IClassFixture<RegistryServer>
{
    private static readonly Dictionary<string, string?> RecheckAlways = new() { ["ImageVerification:KeyRecheckInterval"] = "00:00:00" };

    [Fact]
    public async Task Validate_TrustedKeyFileReplaced_VerdictMadeWithTheOldKeyIsNotReused()
    {
        using var webhook = ImageWebhook.Start(registry.Host, settings: RecheckAlways);
        var signedByA = ImageWebhook.PodReview($"{registry.Host}/shop/app:1.0");

        var before = await webhook.ReviewAsync(signedByA);
        File.Copy(ImageWebhook.KeyFile("B"), Path.Combine(webhook.Keys, "secrets", "cosign-keys", "A.pub"), overwrite: true);
        var after = await webhook.ReviewAsync(signedByA);
        var signedByB = await webhook.ReviewAsync(ImageWebhook.PodReview($"{registry.Host}/shop/other:1.0"));

        Assert.True(before.Allowed(), before.ToJsonString());
        Assert.False(after.Allowed());
        Assert.Contains("has no signature by any of the 1 trusted key (entry \"shop\")", after.Message(), StringComparison.Ordinal);
        Assert.True(signedByB.Allowed(), signedByB.ToJsonString());
    }

    [Fact]
    public async Task Validate_SecretUpdatedAsTheKubeletDoes_VerdictMadeWithTheOldKeyIsNotReused()
    {
        using var webhook = ImageWebhook.Start(registry.Host, settings: RecheckAlways);
        // The kubelet's layout: each key a link into ..data, itself a link to the folder of the Secret's current version.
        var secret = Path.Combine(webhook.Keys, "secrets", "cosign-keys");
        File.Delete(Path.Combine(secret, "A.pub"));
        Version(secret, "..2026_11_27_1", "A");
        File.CreateSymbolicLink(Path.Combine(secret, "A.pub"), Path.Combine("..data", "A.pub"));
        var signedByA = ImageWebhook.PodReview($"{registry.Host}/shop/app:1.0");

        var before = await webhook.ReviewAsync(signedByA);
        Version(secret, "..2026_11_27_2", "B");
        var after = await webhook.ReviewAsync(signedByA);

        Assert.True(before.Allowed(), before.ToJsonString());
        Assert.False(after.Allowed());
        Assert.Contains("has no signature by any of the 1 trusted key (entry \"shop\")", after.Message(), StringComparison.Ordinal);
    }

    // A new version of the Secret whose A.pub holds the signer's key, then ..data pointed at it.
    private static void Version(string secret, string version, string signer)
    {
        var folder = Directory.CreateDirectory(Path.Combine(secret, version)).FullName;
        File.Copy(ImageWebhook.KeyFile(signer), Path.Combine(folder, "A.pub"));
        var data = Path.Combine(secret, "..data");
        if (Directory.Exists(data) || File.Exists(data))
        {
            File.Delete(data);
        }

        Directory.CreateSymbolicLink(data, version);
    }
}
