using System.Text;
using System.Text.Json.Nodes;
using PolicyWebhook.Host.Admission;

namespace PolicyWebhook.Host.Tests;

/// <summary>The reader cuts metadata.managedFields out of the objects' bytes in place, leaving the rest as sent.</summary>
public sealed class ManagedFieldsCutTests
{
    private const string Fields = """[{"manager":"kubectl","operation":"Update","fieldsV1":{"f:metadata":{"f:labels":{".":{}}}}}]""";

    /// <summary>Metadata as sent, and as it must read once managedFields is cut.</summary>
    public static TheoryData<string, string> Metadata => new()
    {
        { $$$"""{"managedFields":{{{Fields}}},"name":"web","labels":{"app":"web"}}""", """{"name":"web","labels":{"app":"web"}}""" },
        { $$$"""{"name":"web","managedFields":{{{Fields}}},"labels":{"app":"web"}}""", """{"name":"web","labels":{"app":"web"}}""" },
        { $$$"""{"name":"web","labels":{"app":"web"},"managedFields":{{{Fields}}}}""", """{"name":"web","labels":{"app":"web"}}""" },
        { $$$"""{"managedFields":{{{Fields}}}}""", "{}" },
        { $$$"""{ "name" : "web" , "managedFields" : {{{Fields}}} , "uid" : 7 }""", """{"name":"web","uid":7}""" },
        { $$$"""{"name":"web","managedFields":null,"managedFields":{{{Fields}}}}""", """{"name":"web"}""" },
        { $$$"""{"managedFields":null,"managedFields":{{{Fields}}},"name":"web"}""", """{"name":"web"}""" },
        { $$$"""{"managedFields":null,"managedFields":{{{Fields}}}}""", "{}" },
        { """{"name":"web"}""", """{"name":"web"}""" },
        { "{}", "{}" },
    };

    [Theory]
    [MemberData(nameof(Metadata))]
    public void ReadRequest_ManagedFieldsAnywhereInMetadata_AreCutFromObjectAndOldObject(string metadata, string cut)
    {
        const string Spec = """{"containers":[{"name":"a","image":"x","managedFields":1}]}""";
        var pod = $$$"""{"apiVersion":"v1","kind":"Pod","metadata":{{{metadata}}},"spec":{{{Spec}}}}""";
        var body = $$$"""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u1","kind":{"group":"","version":"v1","kind":"Pod"},"operation":"UPDATE","object":{{{pod}}},"oldObject":{{{pod.Replace("\"a\"", "\"b\"", StringComparison.Ordinal)}}},"dryRun":false}}""";

        var (request, problem) = AdmissionReviewReader.ReadRequest(Encoding.UTF8.GetBytes(body));

        Assert.Null(problem);
        using (request)
        {
            var expected = JsonNode.Parse($$$"""{"apiVersion":"v1","kind":"Pod","metadata":{{{cut}}},"spec":{{{Spec}}}}""");
            Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(request!.ObjectJson.Span)), Encoding.UTF8.GetString(request.ObjectJson.Span));
            var old = JsonNode.Parse(request.OldObjectJson.Span)!;
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(cut), old["metadata"]), Encoding.UTF8.GetString(request.OldObjectJson.Span));
            Assert.Equal("b", old["spec"]!["containers"]![0]!["name"]!.GetValue<string>());
        }
    }

    [Fact]
    public void ReadRequest_RealPodReview_ObjectIsTheSampleWithoutManagedFields()
    {
        var sample = Reviews.SampleNode("pod-create.json");
        Assert.NotNull(sample["request"]!["object"]!["metadata"]!["managedFields"]);

        var (request, _) = AdmissionReviewReader.ReadRequest(Encoding.UTF8.GetBytes(Reviews.Sample("pod-create.json")));

        using (request)
        {
            var expected = sample["request"]!["object"]!.DeepClone();
            expected["metadata"]!.AsObject().Remove("managedFields");
            Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(request!.ObjectJson.Span)));
            Assert.True(request.OldObjectJson.IsEmpty);
        }
    }
}
