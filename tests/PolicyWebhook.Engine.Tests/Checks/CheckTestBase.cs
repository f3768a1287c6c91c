namespace PolicyWebhook.Engine.Tests.Checks;

/// <summary>
/// What every check's test shares: each fixture under Fixtures/{id}/pass must raise no violation of the check,
/// each under Fixtures/{id}/fail at least one. A subclass names the check and pins one message exactly.
/// </summary>
public abstract class CheckTestBase
{
    protected abstract string CheckId { get; }

    /// <summary>Options for a least-privilege check; null takes the test default.</summary>
    protected virtual object? Options => null;

    protected string FixtureFolder => RepoPaths.Of("tests", "PolicyWebhook.Engine.Tests", "Fixtures", CheckId);

    [Fact]
    public void Fixtures_PassAndFail_GiveTheirVerdicts()
    {
        var passes = Directory.GetFiles(Path.Combine(FixtureFolder, "pass"), "*.yaml");
        var fails = Directory.GetFiles(Path.Combine(FixtureFolder, "fail"), "*.yaml");
        Assert.NotEmpty(passes);
        Assert.NotEmpty(fails);

        var wrong = passes.Where(f => Violations(f).Count != 0)
            .Concat(fails.Where(f => Violations(f).Count == 0))
            .Select(Path.GetFileName)
            .ToList();

        Assert.Empty(wrong);
    }

    /// <summary>The violations the check alone finds in a fixture, given as pass/x.yaml or fail/x.yaml.</summary>
    protected IReadOnlyList<Violation> Violations(string fixture)
    {
        var path = Path.IsPathRooted(fixture) ? fixture : Path.Combine(FixtureFolder, fixture);
        var result = new PolicyEvaluator([TestPolicies.OnlyCheck(CheckId, Options)]).Evaluate(TestPolicies.ReadObject(path))!;
        Assert.All(result.Violations, v => Assert.Equal(CheckId, v.Check));
        return result.Violations;
    }

    /// <summary>Asserts the fixture's violations, as path and message, are exactly these.</summary>
    protected void AssertViolations(string fixture, params (string Path, string Message)[] expected) =>
        Assert.Equal(expected, Violations(fixture).Select(v => (v.Path, v.Message)).ToArray());
}
