using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;
using PolicyWebhook.Engine.Workloads;
using PolicyWebhook.Tests.Shared;

namespace PolicyWebhook.Engine.Tests;

/// <summary>The decoder's shortcuts: quantities parsed once, and fields that nothing reads skipped.</summary>
public sealed class DecodingTests
{
    public static TheoryData<string> Quantities() =>
        ["250m", "1", "0", "128Mi", "1.5Gi", "0100m", "1e3", "1E3", "+2", "-1", "12345678901234567890", "1Ki", "2Ti", "3P", "100k", "0.5", ".5", "1n", "7u"];

    [Theory]
    [MemberData(nameof(Quantities))]
    public void Decode_Quantity_SameAsTheClientLibrary(string text)
    {
        var library = Library(text);
        var ours = Pod(text);
        var again = Pod(text);

        Assert.Equal(library.ToString(), ours.ToString());
        Assert.Equal(library.ToDecimal(), ours.ToDecimal());
        Assert.Equal(library.Format, ours.Format);
        if (QuantityCache.IsPlain(text))
        {
            Assert.Same(ours, again);
        }
        else
        {
            Assert.NotSame(ours, again);
        }
    }

    [Theory]
    [InlineData("250m", true)]
    [InlineData("1.5Gi", true)]
    [InlineData("100", true)]
    [InlineData("123456789012345678", true)]
    [InlineData("1.123456789Ki", true)]
    [InlineData("7u", true)]
    [InlineData("1e30", false)] // exponent forms are parsed every time
    [InlineData("1E3", false)]
    [InlineData("1234567890123456789", false)]
    [InlineData("1.1234567890", false)]
    [InlineData("+1", false)]
    [InlineData("-1", false)]
    [InlineData(".5", false)]
    [InlineData("1.", false)]
    [InlineData("1Qi", false)]
    [InlineData("1mi", false)]
    [InlineData("", false)]
    public void QuantityCache_KeepsOnlyPlainShortForms(string text, bool kept) => Assert.Equal(kept, QuantityCache.IsPlain(text));

    [Theory]
    [InlineData("250m", true)]
    [InlineData("1e30", true)]
    [InlineData("1E+30", true)]
    [InlineData("1.5e-30", true)]
    [InlineData("1Ei", true)] // exa, binary: not an exponent
    [InlineData("1E", true)] // exa
    [InlineData("1e31", false)]
    [InlineData("1e-31", false)]
    [InlineData("1e9999", false)] // over a second for the client library
    [InlineData("1e99999999999999999999", false)]
    [InlineData("1e999x", false)]
    [InlineData("12345678901234567890123456789012345678901", false)] // 41 characters
    public void Quantities_IsTractable_BoundsLengthAndExponent(string text, bool tractable)
    {
        Assert.Equal(tractable, PolicyWebhook.Engine.Quantities.IsTractable(text));
        if (!tractable)
        {
            Assert.False(PolicyWebhook.Engine.Quantities.TryToDecimal(text, out _)); // the mutator's and the resources check's reading
        }
    }

    [Theory]
    [InlineData("\"1e9999\"")]
    [InlineData("\"1e-9999\"")]
    [InlineData("1e9999")] // a JSON number
    [InlineData("\"12345678901234567890123456789012345678901\"")]
    [InlineData("\"1\\u00659999\"")] // 1e9999 with the e escaped
    public void Decode_QuantityTooHardToParse_IsAShapeError(string json)
    {
        var body = PodJson(json);

        var error = Record.Exception(() => WorkloadDecoder.Decode("Pod", body));
        var forChecks = Record.Exception(() => WorkloadDecoder.DecodeForChecks("Pod", System.Text.Encoding.UTF8.GetBytes(body)));

        Assert.IsType<FormatException>(error);
        Assert.IsType<FormatException>(forChecks);
        Assert.True(WorkloadDecoder.IsShapeError(error));
    }

    [Theory]
    [InlineData("\"abc\"")]
    [InlineData("\"1.5.5\"")]
    [InlineData("\"\"")]
    [InlineData("\"1Qi\"")]
    public void Decode_MalformedQuantity_ThrowsAsTheClientLibraryDoes(string json)
    {
        var body = PodJson(json);
        var expected = Record.Exception(() => KubernetesJson.Deserialize<V1Pod>(body));
        var actual = Record.Exception(() => WorkloadDecoder.Decode("Pod", body));

        Assert.NotNull(expected);
        Assert.NotNull(actual);
        Assert.Equal(expected.GetType(), actual.GetType());
        Assert.True(WorkloadDecoder.IsShapeError(actual) || actual is JsonException);
    }

    [Theory]
    [InlineData("5")]
    [InlineData("0.25")]
    [InlineData("\"\\u0031\"")]
    [InlineData("\"0000000000000000000000000000000001\"")]
    public void Decode_QuantityNotAShortPlainString_ReadByTheLibrary(string json)
    {
        var body = PodJson(json);
        var expected = KubernetesJson.Deserialize<V1Pod>(body).Spec.Containers[0].Resources.Limits["cpu"];
        var actual = ((V1Pod)WorkloadDecoder.Decode("Pod", body)).Spec.Containers[0].Resources.Limits["cpu"];

        Assert.Equal(expected.ToString(), actual.ToString());
    }

    [Fact]
    public void QuantityCache_ManyDistinctTexts_KeepsAtMostItsBound()
    {
        JsonSerializerOptions? library = null;
        KubernetesJson.AddJsonOptions(o => library = o);
        var cache = new QuantityCache((JsonConverter<ResourceQuantity>)library!.GetConverter(typeof(ResourceQuantity)));
        var options = new JsonSerializerOptions(library) { Converters = { cache } };

        for (var i = 0; i < QuantityCache.MaxEntries + 500; i++)
        {
            var quantity = JsonSerializer.Deserialize<ResourceQuantity>($"\"{i}m\"", options)!;
            Assert.Equal(i / 1000m, quantity.ToDecimal());
        }

        Assert.Equal(QuantityCache.MaxEntries, cache.Count);
    }

    [Fact]
    public void UnreadFields_EachNamesAPropertyOfItsType()
    {
        foreach (var (type, names) in UnreadFields.ByType)
        {
            var json = type.GetProperties().Select(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name).ToHashSet();
            Assert.All(names, name => Assert.Contains(name, json));
        }
    }

    [Fact]
    public void UnreadFields_NoneIsReadByTheEngine() => Assert.Empty(UnreadFieldReads.In(typeof(WorkloadDecoder).Assembly));

    [Fact]
    public void Decode_UnreadField_LeftNullAndReadFieldsKept()
    {
        var pod = (V1Pod)WorkloadDecoder.DecodeForChecks("Pod", """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","deletionTimestamp":"2026-11-24T13:32:01Z"},
             "spec":{"tolerations":[{"key":"a","operator":"Exists"}],"hostNetwork":true,
               "containers":[{"name":"app","image":"app:1","imagePullPolicy":"Always","ports":[{"containerPort":80,"hostPort":8080}]}]}}
            """u8);

        Assert.Null(pod.Metadata.DeletionTimestamp);
        Assert.Null(pod.Spec.Tolerations);
        Assert.Null(pod.Spec.Containers[0].ImagePullPolicy);
        Assert.Equal("web", pod.Metadata.Name);
        Assert.True(pod.Spec.HostNetwork);
        Assert.Equal(8080, pod.Spec.Containers[0].Ports[0].HostPort);
    }

    [Fact]
    public void DecodeForChecks_UnreadFieldOfTheWrongForm_IsNotReadSoNotRefused_WhileDecodeRefusesIt()
    {
        const string Pod = """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"},"spec":{"tolerations":5,"containers":[{"name":"app","image":"app:1","stdin":"yes"}]}}""";

        Assert.ThrowsAny<JsonException>(() => WorkloadDecoder.Decode("Pod", Pod));
        Assert.Equal("app", ((V1Pod)WorkloadDecoder.DecodeForChecks("Pod", System.Text.Encoding.UTF8.GetBytes(Pod))).Spec.Containers[0].Name);
    }

    [Fact]
    public void UnreadFields_CoverWhatEveryDecodingSkips()
    {
        foreach (var (type, names) in UnreadFields.NeverRead)
        {
            Assert.All(names, name => Assert.Contains(name, UnreadFields.ByType[type]));
        }
    }

    private static ResourceQuantity Library(string text) =>
        KubernetesJson.Deserialize<V1Pod>(PodJson("\"" + text + "\"")).Spec.Containers[0].Resources.Limits["cpu"];

    private static ResourceQuantity Pod(string text) =>
        ((V1Pod)WorkloadDecoder.Decode("Pod", PodJson("\"" + text + "\""))).Spec.Containers[0].Resources.Limits["cpu"];

    private static string PodJson(string quantityJson) =>
        """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"a:1","resources":{"limits":{"cpu":"""
        + quantityJson + "}}}]}}";
}
