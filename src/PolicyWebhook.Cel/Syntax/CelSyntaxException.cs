namespace PolicyWebhook.Cel.Syntax;

/// <summary>An expression that does not parse; Position is the offset in the source, Line and Column count from 1.</summary>
public sealed class CelSyntaxException : Exception
{
    public CelSyntaxException(string reason, string source, int position)
        : base(Describe(reason, source, position, out var line, out var column))
    {
        Reason = reason;
        Position = position;
        Line = line;
        Column = column;
    }

    public CelSyntaxException()
        : this("syntax error", string.Empty, 0)
    {
    }

    public CelSyntaxException(string message)
        : this(message, string.Empty, 0)
    {
    }

    public CelSyntaxException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = message;
    }

    public string Reason { get; } = string.Empty;

    public int Position { get; }

    public int Line { get; } = 1;

    public int Column { get; } = 1;

    private static string Describe(string reason, string source, int position, out int line, out int column)
    {
        line = 1;
        column = 1;
        for (var i = 0; i < position && i < source.Length; i++)
        {
            if (source[i] == '\n')
            {
                line++;
                column = 1;
            }
            else
            {
                column++;
            }
        }

        return $"{reason} at line {line}, column {column}";
    }
}
