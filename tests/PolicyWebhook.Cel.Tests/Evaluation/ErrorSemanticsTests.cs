using PolicyWebhook.Cel.Values;

namespace PolicyWebhook.Cel.Tests.Evaluation;

public sealed class ErrorSemanticsTests
{
    [Theory]
    [InlineData("1/0 > 0 || true", true)]
    [InlineData("true || 1/0 > 0", true)]
    [InlineData("1/0 > 0 && false", false)]
    [InlineData("false && 1/0 > 0", false)]
    [InlineData("[1, 0].exists(x, 1/x == 1)", true)]
    [InlineData("[0, 1].all(x, 1/x == 5)", false)]
    [InlineData("1 == 1.0 && 1u == 1 && [1] == [1.0] && {1: 'a'} == {1u: 'a'}", true)]
    [InlineData("'a' != 1 && null != 0", true)]
    public void Logic_ErrorOnOneSide_IsAbsorbedByTheDecidingValue(string source, bool expected) => Assert.Equal(expected, Cel.Value(source));

    [Theory]
    [InlineData("1/0 > 0 && true")]
    [InlineData("true && 1/0 > 0")]
    [InlineData("9223372036854775807 + 1")]
    [InlineData("-9223372036854775808 - 1")]
    [InlineData("-(-9223372036854775808)")]
    [InlineData("0u - 1u")]
    [InlineData("18446744073709551615u * 2u")]
    [InlineData("-9223372036854775808 / -1")]
    [InlineData("5 % 0")]
    [InlineData("int(1e19)")]
    [InlineData("uint(-1)")]
    [InlineData("[1][2]")]
    [InlineData("{'a': 1}.b")]
    [InlineData("1 + 1u")]
    [InlineData("'a' < 1")]
    [InlineData("[1, 0].exists_one(x, 1/x == 1)")]
    [InlineData("undeclared + 1")]
    [InlineData("duration('3000000h')")]
    [InlineData("timestamp('10000-01-01T00:00:00Z')")]
    public void Evaluate_InvalidOperation_IsAnError(string source) => Assert.True(Cel.Run(source).IsError);

    [Fact]
    public void Evaluate_StringFunctions_CountCodePoints()
    {
        Assert.Equal(3L, Cel.Value("size('a😀b')"));
        Assert.Equal("😀", Cel.Value("'a😀b'.substring(1, 2)"));
        Assert.Equal(true, Cel.Value("'image:v1'.matches('^[a-z]+:v[0-9]+$') && 'abc'.contains('b') && 'abc'.endsWith('c')"));
    }

    [Fact]
    public void Evaluate_TimestampsAndDurations_HaveAccessors()
    {
        Assert.Equal(2009L, Cel.Value("timestamp('2009-02-13T23:31:30Z').getFullYear()"));
        Assert.Equal(7L, Cel.Value("timestamp('2009-02-13T23:31:30Z').getHours('Asia/Singapore')"));
        Assert.Equal(90L, Cel.Value("duration('1h30m').getMinutes()"));
        Assert.Equal("5400s", Cel.Value("string(duration('1h30m'))"));
        Assert.Equal(CelType.TimestampType, Cel.Value("type(timestamp('2009-02-13T23:31:30Z'))"));
    }

    [Fact]
    public void Evaluate_DottedVariable_ResolvesLongestName()
    {
        var variables = new Dictionary<string, object?> { ["a.b"] = 7L, ["a"] = CelMap.Empty };

        Assert.Equal(7L, Cel.Value("a.b", variables));
    }

    [Fact]
    public void Evaluate_JsonObject_BecomesMapsListsAndNumbers()
    {
        using var json = System.Text.Json.JsonDocument.Parse("""{"spec":{"containers":[{"name":"a","image":"x:1"},{"name":"b","image":"y"}]},"n":1.5}""");
        var variables = new Dictionary<string, object?> { ["object"] = JsonValues.From(json.RootElement) };

        Assert.Equal(true, Cel.Value("object.spec.containers.all(c, c.image.contains(':')) == false && object.n == 1.5", variables));
        Assert.Equal(new object?[] { "a", "b" }, Cel.Value("object.spec.containers.map(c, c.name)", variables));
    }
}
