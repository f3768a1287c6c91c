namespace PolicyWebhook.Engine.Tests.Checks;

/// <summary>
/// Scores the inline secrets check on its fixture corpus: every fail fixture names, in a first line
/// <c># secret at: PATH...</c>, the fields that hold a credential; any other finding, in any fixture, is a false alarm.
/// </summary>
internal static class InlineSecretsCorpus
{
    private const string Header = "# secret at:";

    public static CorpusScore Score(string folder, Func<string, IReadOnlyList<Violation>> violations)
    {
        var passes = Directory.GetFiles(Path.Combine(folder, "pass"), "*.yaml");
        var fails = Directory.GetFiles(Path.Combine(folder, "fail"), "*.yaml");
        var expected = 0;
        var found = 0;
        var wrong = new List<string>();
        var missed = new List<string>();
        foreach (var file in passes.Concat(fails))
        {
            var first = File.ReadLines(file).FirstOrDefault() ?? string.Empty;
            var paths = first.StartsWith(Header, StringComparison.Ordinal)
                ? first[Header.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal)
                : [];
            Assert.True(paths.Count > 0 == fails.Contains(file), $"{Path.GetFileName(file)}: a fail fixture names its secrets, a pass fixture none");
            var reported = violations(file).Select(v => v.Path).ToHashSet(StringComparer.Ordinal);
            expected += paths.Count;
            found += paths.Count(reported.Contains);
            wrong.AddRange(reported.Where(p => !paths.Contains(p)).Select(p => $"{Path.GetFileName(file)}: {p}"));
            missed.AddRange(paths.Where(p => !reported.Contains(p)).Select(p => $"{Path.GetFileName(file)}: {p}"));
        }

        return new CorpusScore(passes.Length, fails.Length, expected, found, wrong, missed);
    }
}

/// <summary>What the check found on its corpus: credentials expected and found, false alarms, misses.</summary>
internal sealed record CorpusScore(int PassFiles, int FailFiles, int Expected, int Found, IReadOnlyList<string> Wrong, IReadOnlyList<string> Missed)
{
    public int Files => PassFiles + FailFiles;

    public int PrecisionPercent => Found + Wrong.Count == 0 ? 0 : (int)Math.Floor(100.0 * Found / (Found + Wrong.Count));

    public int RecallPercent => Expected == 0 ? 0 : (int)Math.Floor(100.0 * Found / Expected);
}
