using System.Text.RegularExpressions;

namespace PolicyWebhook.Engine.Images;

/// <summary>
/// How a keyless identity's <c>subjectRegExp</c> is compiled, in one place for the policy validator, the command line
/// and the verifier: anchored around the whole expression, so an alternation (<c>a|ab</c>) must match all of a name
/// rather than a prefix, and without backtracking, so no pattern an operator writes runs in more than linear time.
/// </summary>
public static class SubjectPattern
{
    /// <summary>The compiled pattern; throws <see cref="ArgumentException"/> for no regular expression, <see cref="NotSupportedException"/> for one that needs backtracking.</summary>
    public static Regex Compile(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        return new Regex($"^(?:{pattern})$", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
    }

    /// <summary>What keeps <paramref name="pattern"/> from compiling, said for its owner; null when it compiles.</summary>
    public static string? Problem(string pattern)
    {
        try
        {
            _ = Compile(pattern);
            return null;
        }
        catch (ArgumentException e)
        {
            return $"is not a regular expression: {e.Message}";
        }
        catch (NotSupportedException)
        {
            return "uses backreferences, lookarounds or atomic groups, which a subject pattern may not (it must run in linear time)";
        }
    }
}
