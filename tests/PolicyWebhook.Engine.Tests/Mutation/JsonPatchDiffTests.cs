using System.Text.Json.Nodes;
using PolicyWebhook.Engine.Mutation;

namespace PolicyWebhook.Engine.Tests.Mutation;

public sealed class JsonPatchDiffTests
{
    private static string Diff(string from, string to) => JsonPatchDiff.Diff(JsonNode.Parse(from), JsonNode.Parse(to)).ToJsonString();

    [Fact]
    public void Diff_EqualDocuments_IsEmpty() =>
        Assert.Equal("[]", Diff("""{"a":[1,{"b":null}]}""", """{"a":[1,{"b":null}]}"""));

    [Fact]
    public void Diff_AddedMember_IsOneAddWithItsWholeValue() =>
        Assert.Equal(
            """[{"op":"add","path":"/spec/securityContext","value":{"runAsNonRoot":true}}]""",
            Diff("""{"spec":{}}""", """{"spec":{"securityContext":{"runAsNonRoot":true}}}"""));

    [Fact]
    public void Diff_AppendedArrayItem_AddsAtTheEnd() =>
        Assert.Equal("""[{"op":"add","path":"/drop/-","value":"ALL"}]""", Diff("""{"drop":["NET_RAW"]}""", """{"drop":["NET_RAW","ALL"]}"""));

    [Fact]
    public void Diff_RemovedAndChanged_RemoveAndReplace() =>
        Assert.Equal(
            """[{"op":"remove","path":"/a"},{"op":"replace","path":"/b","value":2}]""",
            Diff("""{"a":1,"b":1}""", """{"b":2}"""));

    [Fact]
    public void Diff_KeysWithSlashAndTilde_AreEscaped() =>
        Assert.Equal(
            """[{"op":"add","path":"/annotations/example.com~1a~0b","value":"x"}]""",
            Diff("""{"annotations":{}}""", """{"annotations":{"example.com/a~b":"x"}}"""));

    [Fact]
    public void Diff_ShorterArray_IsReplacedWhole() =>
        Assert.Equal("""[{"op":"replace","path":"/a","value":[1]}]""", Diff("""{"a":[1,2]}""", """{"a":[1]}"""));
}
