using System.Text.Json;

namespace PolicyWebhook.Cel.Tests.Conformance;

/// <summary>
/// Runs every test of the official CEL conformance suite (Conformance/cel-spec/simple/*.json) that index.tsv marks "plain"
/// and requires the passing set to equal Conformance/passing.txt, so that a regression fails and progress shows in the diff.
/// Tests marked "proto" are out of scope: they need protobuf message types (TestAllTypes, wrappers, Any, Struct, enums),
/// which Kubernetes objects never are.
/// Known not to pass: the 14 type_deduction tests that only type-check (there is no type checker yet), and 22 parse tests whose expected values the JSON
/// conversion left undecoded (a literal "Ā" or "\?" where upstream means "Ā" or "?"), which no correct evaluator can pass.
/// </summary>
public sealed class ConformanceTests(ITestOutputHelper output)
{
    private static readonly string PassingFile = RepoPaths.Of("tests", "PolicyWebhook.Cel.Tests", "Conformance", "passing.txt");

    [Fact]
    public void PlainTests_PassingSet_EqualsCommittedList()
    {
        var failures = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var passing = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var test in PlainCases())
        {
            var failure = test.Run();
            if (failure is null)
            {
                passing.Add(test.Key);
            }
            else
            {
                failures[test.Key] = failure;
            }
        }

        var expected = File.ReadAllLines(PassingFile).Where(l => l.Length > 0 && !l.StartsWith('#')).ToHashSet(StringComparer.Ordinal);
        output.WriteLine($"conformance: {passing.Count} of {passing.Count + failures.Count} plain tests pass");
        if (Environment.GetEnvironmentVariable("CEL_CONFORMANCE_UPDATE") == "1")
        {
            File.WriteAllLines(PassingFile, ["# plain conformance tests that pass (file/section/test); regenerate with CEL_CONFORMANCE_UPDATE=1", .. passing]);
            File.WriteAllLines(Path.Combine(Path.GetDirectoryName(PassingFile)!, "..", "bin", "failing.txt"), failures.Select(f => $"{f.Key}\t{f.Value.ReplaceLineEndings(" ")}"));
        }

        var regressed = expected.Where(k => !passing.Contains(k)).Order(StringComparer.Ordinal).ToList();
        var improved = passing.Where(k => !expected.Contains(k)).ToList();
        Assert.True(
            regressed.Count == 0 && improved.Count == 0,
            $"no longer passing: {string.Join(", ", regressed.Select(k => k + " (" + failures[k] + ")"))}; newly passing (add to passing.txt): {string.Join(", ", improved)}");
    }

    // Upstream repeats three names in string_ext/index_of; a repeat is keyed "name#2".
    private static IEnumerable<ConformanceCase> PlainCases()
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var plain = File.ReadLines(Path.Combine(RepoPaths.CelSpec, "index.tsv"))
            .Skip(1)
            .Select(line => line.Split('\t'))
            .Where(columns => columns[4] == "plain")
            .Select(columns => $"{columns[0]}/{columns[1]}/{columns[2]}")
            .ToHashSet(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(Path.Combine(RepoPaths.CelSpec, "simple"), "*.json").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            if (!document.RootElement.TryGetProperty("section", out var sections))
            {
                continue;
            }

            foreach (var section in sections.EnumerateArray())
            {
                if (!section.TryGetProperty("test", out var tests))
                {
                    continue;
                }

                foreach (var test in tests.EnumerateArray())
                {
                    var key = $"{name}/{section.GetProperty("name").GetString()}/{test.GetProperty("name").GetString()}";
                    if (plain.Contains(key))
                    {
                        var n = seen[key] = seen.GetValueOrDefault(key) + 1;
                        yield return new ConformanceCase(n == 1 ? key : $"{key}#{n}", test.Clone());
                    }
                }
            }
        }
    }
}
