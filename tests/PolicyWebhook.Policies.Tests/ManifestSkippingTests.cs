using PolicyWebhook.Policies.Yaml;

namespace PolicyWebhook.Policies.Tests;

/// <summary>ReadEach with a filter: documents whose apiVersion and kind it refuses are not parsed, the rest read as without one.</summary>
public sealed class ManifestSkippingTests
{
    private const string Text = """
        # an install manifest
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: widgets.example.io
        spec:
          versions: [{name: v1, schema: {openAPIV3Schema: {description: "kind: Pod", type: object}}}]
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
          - name: web
            image: nginx
        --- # a comment on the marker
        apiVersion: "v1"
        kind: 'ConfigMap'   # a comment
        data:
          kind: Pod
        ---
        {"apiVersion": "v1", "kind": "Secret"}
        ---
        apiVersion: v1
        kind: List
        items: []
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: api}
        spec: {template: {spec: {containers: [{name: a, image: b}]}}}
        """;

    private static bool PodsOnly(string apiVersion, string kind) => kind is "Pod" or "Deployment" || kind.EndsWith("List", StringComparison.Ordinal);

    [Fact]
    public void ReadEach_Filter_SkippedDocumentsKeepKindAndLine_OthersReadAsWithout()
    {
        var all = ManifestReader.ReadEach(Text, "install.yaml", YamlDialect.Kubectl);
        var filtered = ManifestReader.ReadEach(Text, "install.yaml", YamlDialect.Kubectl, PodsOnly);

        Assert.Equal(all.Count, filtered.Count);
        for (var i = 0; i < all.Count; i++)
        {
            var (a, f) = (all[i].Document!, filtered[i].Document!);
            Assert.Equal((a.ApiVersion, a.Kind, a.Index, a.Line), (f.ApiVersion, f.Kind, f.Index, f.Line));
            if (PodsOnly(a.ApiVersion!, a.Kind!) || a.Kind == "Secret")
            {
                Assert.Equal(a.Root.ToJsonString(), f.Root.ToJsonString()); // read in full (the Secret is in flow style)
                Assert.Equal(a.LineOf("spec.containers"), f.LineOf("spec.containers"));
            }
            else
            {
                Assert.Equal(2, f.Root.Count); // apiVersion and kind only
            }
        }
    }

    [Fact]
    public void ReadEach_BrokenWorkloadAfterSkippedDocuments_ErrorKeepsItsLine()
    {
        var text = "apiVersion: v1\nkind: ConfigMap\ndata: {a: b}\n---\napiVersion: v1\nkind: Pod\nspec: [\n";

        var entries = ManifestReader.ReadEach(text, "x.yaml", YamlDialect.Kubectl, PodsOnly);

        Assert.Equal(2, entries.Count);
        Assert.Equal("ConfigMap", entries[0].Document!.Kind);
        Assert.NotNull(entries[1].Error);
        Assert.Equal(ManifestReader.ReadEach(text, "x.yaml", YamlDialect.Kubectl)[1].Error!.Line, entries[1].Error!.Line);
    }

    [Theory]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nkind: Pod\n")] // a duplicate key: the reader must see it
    [InlineData("apiVersion: v1\nkind: &k ConfigMap\n")] // an anchor
    [InlineData("apiVersion: v1\n<<: {kind: Pod}\nkind: ConfigMap\n")] // a merge key
    [InlineData("%YAML 1.1\n---\napiVersion: v1\nkind: ConfigMap\n")] // a directive
    [InlineData("apiVersion: v1\nkind: ConfigMap\ndata:\n  a: x\n  a: y\n")] // a duplicate key deep inside: still reported
    [InlineData("apiVersion: v1\nkind: ConfigMap\ndata: [a\n")] // invalid YAML: still reported
    public void ReadEach_NotPlainBlockStyle_IsReadInFull(string document)
    {
        var text = document + "---\napiVersion: v1\nkind: Pod\n";

        var filtered = ManifestReader.ReadEach(text, "x.yaml", YamlDialect.Kubectl, PodsOnly);
        var all = ManifestReader.ReadEach(text, "x.yaml", YamlDialect.Kubectl);

        Assert.Equal(all.Select(e => e.Error?.Message ?? e.Document!.Root.ToJsonString()), filtered.Select(e => e.Error?.Message ?? e.Document!.Root.ToJsonString()));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(150)]
    [InlineData(299)]
    public void ReadEach_BigTextCheckedInBatches_ABrokenDocumentInAnyBatchIsStillReported(int broken)
    {
        // 300 documents of about 3 KB: the well-formedness pass runs over several batches of whole documents at once.
        var filler = string.Concat(Enumerable.Range(0, 60).Select(i => $"  key{i}: value {i} of a config map that nobody checks\n"));
        var documents = Enumerable.Range(0, 300)
            .Select(i => i == broken ? "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: x\n  a: y\n" : $"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}}}\ndata:\n{filler}")
            .Append("apiVersion: v1\nkind: Pod\nmetadata: {name: web}\n");
        var text = string.Join("---\n", documents);
        Assert.True(text.Length > 3 * 256 * 1024);

        var filtered = ManifestReader.ReadEach(text, "x.yaml", YamlDialect.Kubectl, PodsOnly);
        var all = ManifestReader.ReadEach(text, "x.yaml", YamlDialect.Kubectl);

        Assert.Equal(301, filtered.Count);
        Assert.Equal(all.Select(e => e.Error?.Message ?? e.Document!.Root.ToJsonString()), filtered.Select(e => e.Error?.Message ?? e.Document!.Root.ToJsonString()));
        Assert.Contains("a", filtered[broken].Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadEach_BigWellFormedText_SkipsAsInOneBatch()
    {
        var filler = string.Concat(Enumerable.Range(0, 60).Select(i => $"  key{i}: value {i} of a config map that nobody checks\n"));
        var text = string.Join("---\n", Enumerable.Range(0, 300).Select(i => $"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}}}\ndata:\n{filler}"))
            + "---\napiVersion: v1\nkind: Pod\nmetadata: {name: web}\n";

        var filtered = ManifestReader.ReadEach(text, "x.yaml", YamlDialect.Kubectl, PodsOnly);

        Assert.Equal(301, filtered.Count);
        Assert.All(filtered.Take(300), e => Assert.Equal(2, e.Document!.Root.Count)); // skipped: apiVersion and kind only
        Assert.Equal("web", filtered[300].Document!.Root["metadata"]!["name"]!.GetValue<string>());
    }
}
