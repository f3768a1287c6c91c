using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using PolicyWebhook.Engine;

namespace PolicyWebhook.Policies.Tests;

/// <summary>
/// Every YAML example of docs/migrating.md is a test fixture: it loads and validates as one policy, and each fixture
/// its <c># pass:</c> and <c># fail:</c> lines name (under tests/PolicyWebhook.Engine.Tests/Fixtures) gets that verdict.
/// </summary>
public sealed partial class MigratingGuideTests
{
    private static readonly string Root = FindRoot();

    public static TheoryData<int, string> Examples()
    {
        var data = new TheoryData<int, string>();
        var blocks = YamlBlock().Matches(File.ReadAllText(Path.Combine(Root, "docs", "migrating.md")));
        for (var i = 0; i < blocks.Count; i++)
        {
            data.Add(i + 1, blocks[i].Groups[1].Value);
        }

        return data;
    }

    [Fact]
    public void Guide_HasAnExampleOfEachKind() => Assert.True(Examples().Count >= 10, $"only {Examples().Count} examples");

    [Theory]
    [MemberData(nameof(Examples))]
    public void Example_ValidatesAndGivesItsFixturesTheirVerdicts(int number, string yaml)
    {
        var policy = Assert.Single(PolicyLoader.LoadText(yaml, $"docs/migrating.md example {number}")).Compiled;
        var passes = Named(yaml, "pass");
        var fails = Named(yaml, "fail");
        Assert.NotEmpty(passes);
        Assert.NotEmpty(fails);

        var wrong = passes.Where(f => Violations(policy, f).Count != 0).Select(f => "pass " + f + ": " + string.Join("; ", Violations(policy, f).Select(v => v.Message)))
            .Concat(fails.Where(f => Violations(policy, f).Count == 0).Select(f => "fail " + f + ": no violation"))
            .ToList();
        Assert.Empty(wrong);
    }

    private static List<string> Named(string yaml, string verdict) =>
        [.. yaml.Split('\n').Where(l => l.StartsWith($"# {verdict}: ", StringComparison.Ordinal)).SelectMany(l => l[(verdict.Length + 4)..].Split(' ', StringSplitOptions.RemoveEmptyEntries))];

    private static IReadOnlyList<Violation> Violations(CompiledPolicy policy, string fixture)
    {
        var path = Path.Combine(Root, "tests", "PolicyWebhook.Engine.Tests", "Fixtures", fixture);
        var pod = (IKubernetesObject<V1ObjectMeta>)KubernetesYaml.LoadAllFromString(File.ReadAllText(path), null).Single();
        return new PolicyEvaluator([policy]).Evaluate(pod)!.Violations;
    }

    private static string FindRoot()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "PolicyWebhook.sln")))
        {
            root = root.Parent!;
        }

        return root.FullName;
    }

    [GeneratedRegex(@"^```yaml\n(.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex YamlBlock();
}
