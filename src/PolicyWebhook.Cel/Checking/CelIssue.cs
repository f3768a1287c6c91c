namespace PolicyWebhook.Cel.Checking;

/// <summary>One mistake found when compiling an expression, with its place in the source (line and column count from 1).</summary>
public sealed record CelIssue(string Message, int Position, int Line, int Column)
{
    public static CelIssue At(string message, string source, int position)
    {
        var line = 1;
        var column = 1;
        for (var i = 0; i < position && i < source.Length; i++)
        {
            (line, column) = source[i] == '\n' ? (line + 1, 1) : (line, column + 1);
        }

        return new CelIssue(message, position, line, column);
    }

    public override string ToString() => $"{Message} at line {Line}, column {Column}";
}

/// <summary>An expression that does not compile; Issues lists every mistake found, each with its position.</summary>
public sealed class CelCompileException : Exception
{
    public CelCompileException(IReadOnlyList<CelIssue> issues)
        : base(string.Join("; ", issues))
    {
        Issues = issues;
    }

    public CelCompileException()
    {
    }

    public CelCompileException(string message)
        : base(message)
    {
    }

    public CelCompileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public IReadOnlyList<CelIssue> Issues { get; } = [];
}
