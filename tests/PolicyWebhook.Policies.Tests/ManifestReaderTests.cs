using PolicyWebhook.Policies.Yaml;

namespace PolicyWebhook.Policies.Tests;

public sealed class ManifestReaderTests
{
    [Fact]
    public void ReadEach_KubectlDialect_ReadsYaml11BooleansAsKubectlDoes()
    {
        var document = Single("a: yes\nb: Off\nc: 'yes'\nd: true\n", YamlDialect.Kubectl);

        Assert.Equal("{\"a\":true,\"b\":false,\"c\":\"yes\",\"d\":true}", document.Root.ToJsonString());
    }

    [Fact]
    public void Read_StrictDialect_KeepsYes_AString()
    {
        var document = ManifestReader.Read("a: yes\n", "x.yaml").Single();

        Assert.Equal("yes", (string?)document.Root["a"]);
    }

    [Fact]
    public void ReadEach_MergeKey_FillsOnlyTheKeysTheMappingLeavesOut()
    {
        var document = Single("base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n", YamlDialect.Kubectl);

        Assert.Equal("{\"y\":3,\"x\":1}", document.Root["use"]!.ToJsonString());
    }

    [Fact]
    public void Read_MergeKeyInAPolicy_IsRefused()
    {
        var error = Assert.Throws<ManifestReadException>(() => ManifestReader.Read("base: &b {x: 1}\nuse:\n  <<: *b\n", "p.yaml"));

        Assert.Equal(3, error.Line);
        Assert.Contains("merge keys", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadEach_OneBrokenDocument_KeepsTheOthersWithTheirOwnLines()
    {
        var entries = ManifestReader.ReadEach("a: 1\n---\nb: [\n---\nc: 3\n", "x.yaml", YamlDialect.Kubectl);

        Assert.Equal(3, entries.Count);
        Assert.Equal(1, entries[0].Document!.Line);
        Assert.NotNull(entries[1].Error);
        Assert.Equal(5, entries[2].Document!.Line);
        Assert.Equal(1, entries[2].Document!.Index);
        Assert.Equal(3L, (long)entries[2].Document!.Root["c"]!);
    }

    [Fact]
    public void ReadEach_ListDocument_IsAnEntryWithTheNotAMappingProblem()
    {
        var entry = Assert.Single(ManifestReader.ReadEach("- op: add\n", "x.yaml", YamlDialect.Kubectl));

        Assert.Equal(ManifestReader.NotAMapping, entry.Error!.Problem);
    }

    private static ManifestDocument Single(string text, YamlDialect dialect)
    {
        var entry = Assert.Single(ManifestReader.ReadEach(text, "x.yaml", dialect));
        Assert.Null(entry.Error);
        return entry.Document!;
    }
}
