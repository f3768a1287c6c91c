using PolicyWebhook.Cel.Syntax;

namespace PolicyWebhook.Cel.Tests.Syntax;

public sealed class ParserTests
{
    [Theory]
    [InlineData("1 + 2 * 3", 7L)]
    [InlineData("(1 + 2) * 3", 9L)]
    [InlineData("10 - 4 - 3", 3L)]
    [InlineData("12 / 2 / 3", 2L)]
    [InlineData("7 % 4 * 2", 6L)]
    [InlineData("-2 * 3", -6L)]
    [InlineData("- -5", 5L)]
    [InlineData("-9223372036854775808", long.MinValue)]
    [InlineData("0x1F", 31L)]
    [InlineData("[1, 2, 3][1 + 1]", 3L)]
    [InlineData("{'a': {'b': 4}}.a.b", 4L)]
    [InlineData("true ? 1 : false ? 2 : 3", 1L)]
    [InlineData("false ? 1 : false ? 2 : 3", 3L)]
    public void Parse_Arithmetic_FollowsPrecedence(string source, long expected) => Assert.Equal(expected, Cel.Value(source));

    [Theory]
    [InlineData("true || false && false", true)]
    [InlineData("(true || false) && false", false)]
    [InlineData("(1 < 2) == (2 < 3)", true)]
    [InlineData("!true == false", true)]
    [InlineData("1 + 1 == 2 && 'a' + 'b' == 'ab'", true)]
    [InlineData("2 in [1, 2] && !(3 in [1, 2])", true)]
    [InlineData("'k' in {'k': 1} ? true : false", true)]
    [InlineData("[1, 2, 3].map(x, x * 2).filter(y, y > 2) == [4, 6]", true)]
    [InlineData("{'a': 1}.all(k, k == 'a') && [1].exists_one(x, x == 1)", true)]
    [InlineData("has({'a': 1}.a) && !has({'a': 1}.b)", true)]
    public void Parse_Logic_FollowsPrecedence(string source, bool expected) => Assert.Equal(expected, Cel.Value(source));

    [Theory]
    [InlineData("1 +", 1, 4)]
    [InlineData("a.b(", 1, 5)]
    [InlineData("{'a' 1}", 1, 6)]
    [InlineData("x.all(1, true)", 1, 7)]
    [InlineData("'abc", 1, 1)]
    [InlineData("a &&\n  if", 2, 3)]
    public void Parse_Mistake_ReportsLineAndColumn(string source, int line, int column)
    {
        var error = Assert.Throws<CelSyntaxException>(() => Parser.Parse(source));
        Assert.Equal((line, column), (error.Line, error.Column));
    }

    [Fact]
    public void Parse_HostileNesting_IsRefusedNotOverflowed()
    {
        var source = new string('(', 10_000) + "1" + new string(')', 10_000);

        var error = Assert.Throws<CelSyntaxException>(() => Parser.Parse(source));

        Assert.Contains("nested more than", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(" + 1", 20_000)]
    [InlineData(".f", 20_000)]
    [InlineData("[0]", 20_000)]
    public void Parse_HostileChain_IsRefusedNotOverflowed(string link, int count)
    {
        var source = "x" + string.Concat(Enumerable.Repeat(link, count));

        var error = Assert.Throws<CelSyntaxException>(() => Parser.Parse(source));

        Assert.Contains("nested more than", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_LongLogicChain_IsBalancedAndEvaluates()
    {
        var source = "true" + string.Concat(Enumerable.Repeat(" && true", 5_000)) + " && x";

        Assert.Equal(false, Cel.Value(source, new Dictionary<string, object?> { ["x"] = false }));
    }

    [Fact]
    public void Parse_LongChainWithinLimit_Evaluates() => Assert.Equal(200L, Cel.Value("0" + string.Concat(Enumerable.Repeat(" + 1", 200))));

    [Fact]
    public void Parse_MemberCall_KeepsTargetAndArguments()
    {
        var call = Assert.IsType<CallExpr>(Parser.Parse("name.startsWith('a')"));

        Assert.Equal("startsWith", call.Function);
        Assert.Equal("name", Assert.IsType<IdentExpr>(call.Target).Name);
        Assert.Equal("a", Assert.IsType<LiteralExpr>(Assert.Single(call.Args)).Value);
    }
}
