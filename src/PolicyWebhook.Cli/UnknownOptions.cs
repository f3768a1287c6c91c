using System.CommandLine;
using System.CommandLine.Parsing;

namespace PolicyWebhook.Cli;

/// <summary>
/// Words that look like options but name none. The parser would otherwise take <c>--fromat</c> as a PATH, and a
/// misspelt option would turn into a missing file; each is refused by name, with the nearest option when one is close.
/// </summary>
internal static class UnknownOptions
{
    /// <summary>One line per unknown option on the command line, before any <c>--</c>; empty when there is none.</summary>
    public static IReadOnlyList<string> Find(ParseResult parsed)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        var afterDoubleDash = new HashSet<Token>(ReferenceEqualityComparer.Instance);
        var seenDoubleDash = false;
        foreach (var token in parsed.Tokens)
        {
            seenDoubleDash |= token.Type == TokenType.DoubleDash;
            if (seenDoubleDash)
            {
                afterDoubleDash.Add(token);
            }
        }

        // Words bound to the command's own arguments (PATH, IMAGE), and words nothing took.
        var words = parsed.CommandResult.Children.OfType<ArgumentResult>()
            .SelectMany(a => a.Tokens)
            .Where(t => !afterDoubleDash.Contains(t))
            .Select(t => t.Value)
            .Concat(parsed.UnmatchedTokens);
        var known = Names(parsed.CommandResult.Command).ToList();
        var lines = new List<string>();
        foreach (var word in words.Where(LooksLikeOption).Distinct(StringComparer.Ordinal))
        {
            var name = word.Split('=', 2)[0];
            var nearest = known
                .Select(k => (Name: k, Distance: Distance(name, k)))
                .Where(k => name.Length > 2 && k.Name.Length > 2 && k.Distance <= Math.Max(1, k.Name.Length / 3))
                .OrderBy(k => k.Distance)
                .ThenBy(k => k.Name, StringComparer.Ordinal)
                .Select(k => k.Name)
                .FirstOrDefault();
            lines.Add(nearest is null ? $"unrecognized option '{name}'" : $"unrecognized option '{name}'; did you mean {nearest}?");
        }

        return lines;
    }

    /// <summary>The command as typed: <c>policywebhook checks list</c>.</summary>
    public static string CommandLine(ParseResult parsed)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        var names = new List<string>();
        for (var result = parsed.CommandResult; result is not null; result = result.Parent as CommandResult)
        {
            names.Insert(0, result.Parent is null ? "policywebhook" : result.Command.Name);
        }

        return string.Join(' ', names);
    }

    // "-" is standard input; a negative number is a value.
    private static bool LooksLikeOption(string word) =>
        word.Length > 1 && word[0] == '-' && !(word.Length > 1 && (char.IsAsciiDigit(word[1]) || word[1] == '.'));

    // The command's options and those of its parents that apply to it (--help), by every name.
    private static IEnumerable<string> Names(Command command)
    {
        var options = command.Options.AsEnumerable();
        foreach (var parent in command.Parents.OfType<Command>())
        {
            options = options.Concat(parent.Options.Where(o => o.Recursive));
        }

        return options.Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name)).Distinct(StringComparer.Ordinal);
    }

    // Levenshtein distance, for the suggestion: option names are short.
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
