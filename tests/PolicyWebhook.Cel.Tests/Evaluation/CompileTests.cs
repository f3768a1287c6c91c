using PolicyWebhook.Cel.Checking;
using PolicyWebhook.Cel.Evaluation;

namespace PolicyWebhook.Cel.Tests.Evaluation;

public sealed class CompileTests
{
    private static readonly string[] Declared = ["object", "oldObject", "request", "podSpec", "podMetadata", "namespaceObject"];

    [Theory]
    [InlineData("podSpec.containers.all(c, c.image.startsWith('r/'))")]
    [InlineData("has(podMetadata.labels) && 'team' in podMetadata.labels")]
    [InlineData("cel.bind(n, size(podSpec.containers), n < 10) && math.greatest(1, 2) == 2 && type(1) == int")]
    [InlineData("quantity('1Gi').isLessThan(quantity('2Gi')) && duration('1s') < duration('2s')")]
    [InlineData("object.metadata.?labels.orValue({}).size() == 0 || true")]
    public void Compile_DeclaredNames_Compiles(string source) => Assert.NotNull(CelProgram.Compile(source, Declared));

    [Fact]
    public void Compile_Typo_ListsEveryMistakeWithPositionAndSuggestion()
    {
        var error = Assert.Throws<CelCompileException>(() => CelProgram.Compile("podspec.containers.all(c, c.image.startWith('r/')) && x > 1", Declared));

        Assert.Collection(
            error.Issues,
            issue => Assert.Equal("undeclared reference to 'podspec' (did you mean 'podSpec'?) at line 1, column 1", issue.ToString()),
            issue => Assert.Equal("undeclared reference to 'startWith' at line 1, column 35", issue.ToString()),
            issue => Assert.Equal("undeclared reference to 'x' at line 1, column 55", issue.ToString()));
    }

    [Fact]
    public void Compile_SyntaxError_IsOneIssueWithPosition()
    {
        var error = Assert.Throws<CelCompileException>(() => CelProgram.Compile("podSpec.containers.all(c,", Declared));

        Assert.Equal((1, 26), (Assert.Single(error.Issues).Line, error.Issues[0].Column));
    }

    [Fact]
    public void Compile_ComprehensionVariable_IsOnlyInScopeInsideTheMacro()
    {
        var error = Assert.Throws<CelCompileException>(() => CelProgram.Compile("podSpec.containers.all(c, true) && c.name == ''", Declared));

        Assert.Equal("undeclared reference to 'c'", Assert.Single(error.Issues).Message);
    }
}

public sealed class PatternCompileTests
{
    [Theory]
    [InlineData("podSpec.hostname.matches('(a')")]
    [InlineData("podSpec.hostname.matches('(?<=a)b')")]
    [InlineData("matches(podSpec.hostname, '[')")]
    public void Compile_BadConstantPattern_IsRefused(string source)
    {
        var error = Assert.Throws<CelCompileException>(() => CelProgram.Compile(source, ["podSpec"]));

        Assert.StartsWith("invalid regular expression", Assert.Single(error.Issues).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_BadPatternFromData_IsAnErrorNotAnException()
    {
        var variables = new Dictionary<string, object?> { ["p"] = "(?<=a)b" };

        Assert.True(Cel.Run("'ab'.matches(p)", variables).IsError);
    }
}
