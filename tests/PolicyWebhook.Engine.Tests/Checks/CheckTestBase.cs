using PolicyWebhook.Engine.Checks;

namespace PolicyWebhook.Engine.Tests.Checks;

/// <summary>
/// What every check's test shares: each fixture under Fixtures/{id}/pass must raise no violation of the check,
/// each under Fixtures/{id}/fail at least one. A subclass names the check and pins one message exactly.
/// A fixture's verdict holds at latest, or, for a Pod Security Standards check, at each version its first line names:
/// <c># versions: v1.0 v1.34 latest</c>.
/// </summary>
public abstract class CheckTestBase
{
    private const string VersionsHeader = "# versions:";

    protected abstract string CheckId { get; }

    /// <summary>Options for a least-privilege check; null takes the test default.</summary>
    protected virtual object? Options => null;

    /// <summary>The context fixtures are judged in; a check that reads gathered facts (image verification) gives its own.</summary>
    protected virtual EvaluationContext ContextFor(string fixture) => EvaluationContext.Offline;

    protected string FixtureFolder => RepoPaths.Of("tests", "PolicyWebhook.Engine.Tests", "Fixtures", CheckId);

    [Fact]
    public void Fixtures_PassAndFail_GiveTheirVerdicts()
    {
        var passes = Directory.GetFiles(Path.Combine(FixtureFolder, "pass"), "*.yaml");
        var fails = Directory.GetFiles(Path.Combine(FixtureFolder, "fail"), "*.yaml");
        Assert.NotEmpty(passes);
        Assert.NotEmpty(fails);

        var wrong = passes.SelectMany(f => VersionsOf(f).Where(v => Violations(f, v).Count != 0).Select(v => Name(f, v)))
            .Concat(fails.SelectMany(f => VersionsOf(f).Where(v => Violations(f, v).Count == 0).Select(v => Name(f, v))))
            .ToList();

        Assert.Empty(wrong);
    }

    /// <summary>The violations the check alone finds in a fixture, given as pass/x.yaml or fail/x.yaml, at latest or <paramref name="version"/>.</summary>
    protected IReadOnlyList<Violation> Violations(string fixture, PssVersion? version = null)
    {
        var path = Path.IsPathRooted(fixture) ? fixture : Path.Combine(FixtureFolder, fixture);
        var result = new PolicyEvaluator([TestPolicies.OnlyCheck(CheckId, Options, version)]).Evaluate(TestPolicies.ReadObject(path), ContextFor(path))!;
        Assert.All(result.Violations, v => Assert.Equal(CheckId, v.Check));
        return result.Violations;
    }

    /// <summary>Asserts the fixture's violations at latest, as path and message, are exactly these.</summary>
    protected void AssertViolations(string fixture, params (string Path, string Message)[] expected) =>
        Assert.Equal(expected, Violations(fixture).Select(v => (v.Path, v.Message)).ToArray());

    /// <summary>Asserts the fixture's violations at <paramref name="version"/>, as path and message, are exactly these.</summary>
    protected void AssertViolationsAt(string fixture, string version, params (string Path, string Message)[] expected) =>
        Assert.Equal(expected, Violations(fixture, PssVersion.Parse(version)).Select(v => (v.Path, v.Message)).ToArray());

    /// <summary>
    /// The fixtures of a parameter, under Fixtures/{id}/{parameter}/pass and fail, judged by the check bound to a
    /// site's parameters: each pass raises no violation, each fail at least one.
    /// </summary>
    protected void AssertParameterFixtures(string parameter, PodCheck check)
    {
        var folder = Path.Combine(FixtureFolder, parameter);
        var passes = Directory.GetFiles(Path.Combine(folder, "pass"), "*.yaml");
        var fails = Directory.GetFiles(Path.Combine(folder, "fail"), "*.yaml");
        Assert.NotEmpty(passes);
        Assert.NotEmpty(fails);

        var wrong = passes.Where(f => ViolationsWith(check, f).Count != 0)
            .Concat(fails.Where(f => ViolationsWith(check, f).Count == 0))
            .Select(Path.GetFileName)
            .ToList();

        Assert.Empty(wrong);
    }

    /// <summary>The violations a check bound to parameters finds in a fixture, given relative to the check's folder.</summary>
    protected IReadOnlyList<Violation> ViolationsWith(PodCheck check, string fixture)
    {
        var path = Path.IsPathRooted(fixture) ? fixture : Path.Combine(FixtureFolder, fixture);
        var policy = new CompiledPolicy(TestPolicies.Reference, null, [new ConfiguredCheck(CheckId, PolicyMode.Enforce, check)], PolicyMatch.All, PolicyExclusions.None);
        var result = new PolicyEvaluator([policy]).Evaluate(TestPolicies.ReadObject(path))!;
        return result.Violations;
    }

    /// <summary>Asserts a check bound to parameters finds exactly these violations, as path and message.</summary>
    protected void AssertViolationsWith(PodCheck check, string fixture, params (string Path, string Message)[] expected) =>
        Assert.Equal(expected, ViolationsWith(check, fixture).Select(v => (v.Path, v.Message)).ToArray());

    private static string Name(string path, PssVersion? version) => $"{Path.GetFileName(path)} at {version ?? PssVersion.Latest}";

    /// <summary>The versions a fixture's verdict holds at: those its <c># versions:</c> first line names, else latest.</summary>
    private static IReadOnlyList<PssVersion?> VersionsOf(string path)
    {
        var first = File.ReadLines(path).FirstOrDefault() ?? string.Empty;
        if (!first.StartsWith(VersionsHeader, StringComparison.Ordinal))
        {
            return [null];
        }

        var versions = first[VersionsHeader.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(versions);
        return [.. versions.Select(v => (PssVersion?)PssVersion.Parse(v))];
    }
}
