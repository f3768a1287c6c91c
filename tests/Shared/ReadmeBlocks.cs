namespace PolicyWebhook.Tests.Shared;

/// <summary>
/// The README's transcripts that the project's own code produces, found by the comment before them
/// (<c>&lt;!-- held by a test: NAME --&gt;</c>), and a comparison that allows the README to leave lines out.
/// </summary>
internal static class ReadmeBlocks
{
    /// <summary>The lines of the fenced block that follows the marker.</summary>
    public static IReadOnlyList<string> Block(string root, string name)
    {
        var lines = File.ReadAllLines(Path.Combine(root, "README.md"));
        var marker = Array.FindIndex(lines, l => l.Trim() == $"<!-- held by a test: {name} -->");
        Assert.True(marker >= 0, $"README.md has no block marked {name}");
        var open = Array.FindIndex(lines, marker + 1, l => l.StartsWith("```", StringComparison.Ordinal));
        var close = Array.FindIndex(lines, open + 1, l => l.StartsWith("```", StringComparison.Ordinal));
        return lines[(open + 1)..close];
    }

    /// <summary>
    /// Every README line is the next output line, in order: exactly, or, when it ends in <c>(...)</c>, as a prefix;
    /// a README line <c>...</c> passes over any output lines until the next README line matches.
    /// </summary>
    public static void AssertShows(IReadOnlyList<string> readme, IReadOnlyList<string> output)
    {
        var at = 0;
        var skipping = false;
        foreach (var line in readme)
        {
            if (line.Trim() == "...")
            {
                skipping = true;
                continue;
            }

            var found = -1;
            for (var i = at; i < output.Count && (found < 0); i++)
            {
                if (Matches(line, output[i]))
                {
                    found = i;
                }
                else if (!skipping)
                {
                    break;
                }
            }

            Assert.True(found >= 0, $"The README shows a line the tool does not print there:\n  {line}\nThe tool printed:\n  {string.Join("\n  ", output)}");
            at = found + 1;
            skipping = false;
        }
    }

    private static bool Matches(string readme, string output) =>
        readme.EndsWith("(...)", StringComparison.Ordinal)
            ? output.StartsWith(readme[..^"(...)".Length], StringComparison.Ordinal)
            : readme == output;
}
