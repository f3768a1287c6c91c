namespace PolicyWebhook.Engine.Tests.Conformance;

/// <summary>
/// Runs every upstream Pod Security Standards fixture (see pss/PROVENANCE.md) at its own level and version:
/// the engine must give the verdict Pod Security Admission gives, on every one.
/// </summary>
public sealed class PodSecurityConformanceTests
{
    private static readonly string Folder = RepoPaths.Of("tests", "PolicyWebhook.Engine.Tests", "Conformance", "pss");

    public static TheoryData<string, string, string, string> Fixtures()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var line in File.ReadLines(Path.Combine(Folder, "index.tsv")).Skip(1))
        {
            var columns = line.Split('\t');
            data.Add(columns[0], columns[1], columns[2], columns[3]);
        }

        return data;
    }

    /// <summary>The newest folder's fixtures, which upstream's v1.36 and latest must judge as v1.35 does.</summary>
    public static TheoryData<string, string, string, string> NewestFixturesAtLaterVersions()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var line in File.ReadLines(Path.Combine(Folder, "index.tsv")).Skip(1))
        {
            var columns = line.Split('\t');
            if (columns[2] == "v1.35")
            {
                data.Add(columns[0], columns[1], "v1.36", columns[3]);
                data.Add(columns[0], columns[1], "latest", columns[3]);
            }
        }

        return data;
    }

    [Fact]
    public void Index_ListsEveryFixture_AllFourThousandTwoHundredFortyOne()
    {
        Assert.Equal(4241, Fixtures().Count);
        Assert.Equal(4241, Directory.EnumerateFiles(Folder, "*.yaml", SearchOption.AllDirectories).Count());
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    [MemberData(nameof(NewestFixturesAtLaterVersions))]
    public void Evaluate_UpstreamFixture_AgreesWithPodSecurityAdmission(string path, string level, string version, string expect)
    {
        var policy = TestPolicies.Standard(
            level == "baseline" ? PssLevel.Baseline : PssLevel.Restricted,
            PssVersion.Parse(version));
        var pod = TestPolicies.ReadObject(Path.Combine(Folder, path));

        var result = new PolicyEvaluator([policy]).Evaluate(pod)!;

        Assert.True(
            result.Allowed == (expect == "pass"),
            $"{path}: expected {expect}, got {(result.Allowed ? "allowed" : "denied: " + VerdictText.Summary(result))}");
    }
}
