namespace PolicyWebhook.Cel.Syntax;

/// <summary>The kinds of token the lexer produces.</summary>
internal enum TokenKind
{
    End,
    Identifier,
    Int,
    Uint,
    Double,
    String,
    Bytes,
    Punctuation,
}

/// <summary>One token: for punctuation and identifiers Text is the symbol; for literals Value is the decoded constant.</summary>
internal readonly record struct Token(TokenKind Kind, string Text, int Position, object? Value = null)
{
    public bool Is(string symbol) => Kind == TokenKind.Punctuation && Text == symbol;
}
