using PolicyWebhook.Policies.Yaml;

namespace PolicyWebhook.Policies.Tests;

public sealed class ManifestFilesTests
{
    [Fact]
    public void Expand_ConfigMapVolumeLayout_TakesEachFileOnce()
    {
        // What kubelet writes for a ConfigMap volume: the data in a timestamped dot folder, "..data" pointing at it,
        // and each key as a link through "..data".
        var root = Path.Combine(Path.GetTempPath(), "policywebhook-tests", Guid.NewGuid().ToString("N"));
        var data = Path.Combine(root, "..2026_11_24_17_00_00.123456789");
        Directory.CreateDirectory(data);
        File.WriteAllText(Path.Combine(data, "policy.yaml"), "kind: ClusterPolicy\n");
        Directory.CreateSymbolicLink(Path.Combine(root, "..data"), data);
        File.CreateSymbolicLink(Path.Combine(root, "policy.yaml"), Path.Combine("..data", "policy.yaml"));
        Directory.CreateDirectory(Path.Combine(root, ".git"));
        File.WriteAllText(Path.Combine(root, ".git", "config.yaml"), "x: 1\n");

        var problems = new List<string>();
        var files = ManifestFiles.Expand([root], problems);

        Assert.Empty(problems);
        Assert.Equal([Path.Combine(root, "policy.yaml")], files);
    }
}
