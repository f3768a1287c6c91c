using System.Globalization;

namespace PolicyWebhook.Cel.Syntax;

/// <summary>Splits CEL source into tokens: identifiers, numbers, string and bytes literals, punctuation; skips whitespace and // comments.</summary>
internal sealed class Lexer(string source)
{
    private static readonly string[] Symbols =
    [
        "==", "!=", "<=", ">=", "&&", "||", ".?", "[?", "?", ":", "<", ">", "!", "+", "-", "*", "/", "%",
        ".", ",", "(", ")", "[", "]", "{", "}",
    ];

    private int _pos;

    public List<Token> Tokenize()
    {
        var tokens = new List<Token>();
        while (true)
        {
            SkipSpace();
            if (_pos >= source.Length)
            {
                tokens.Add(new Token(TokenKind.End, string.Empty, _pos));
                return tokens;
            }

            tokens.Add(Next());
        }
    }

    private void SkipSpace()
    {
        while (_pos < source.Length)
        {
            var c = source[_pos];
            if (c is ' ' or '\t' or '\n' or '\r' or '\f')
            {
                _pos++;
            }
            else if (c == '/' && _pos + 1 < source.Length && source[_pos + 1] == '/')
            {
                while (_pos < source.Length && source[_pos] != '\n')
                {
                    _pos++;
                }
            }
            else
            {
                return;
            }
        }
    }

    private Token Next()
    {
        var start = _pos;
        var c = source[_pos];
        if (char.IsAsciiDigit(c) || (c == '.' && _pos + 1 < source.Length && char.IsAsciiDigit(source[_pos + 1])))
        {
            return Number();
        }

        if (char.IsAsciiLetter(c) || c == '_')
        {
            var quote = QuotePrefixLength();
            if (quote > 0)
            {
                var prefix = source.Substring(_pos, quote).ToLowerInvariant();
                _pos += quote;
                return StringLiteral(start, prefix.Contains('r', StringComparison.Ordinal), prefix.Contains('b', StringComparison.Ordinal));
            }

            while (_pos < source.Length && (char.IsAsciiLetterOrDigit(source[_pos]) || source[_pos] == '_'))
            {
                _pos++;
            }

            return new Token(TokenKind.Identifier, source[start.._pos], start);
        }

        if (c is '"' or '\'')
        {
            return StringLiteral(start, raw: false, bytes: false);
        }

        if (c == '`')
        {
            var end = source.IndexOf('`', _pos + 1);
            if (end < 0)
            {
                throw new CelSyntaxException("unterminated quoted identifier", source, start);
            }

            _pos = end + 1;
            return new Token(TokenKind.Identifier, source[(start + 1)..end], start, Value: "quoted");
        }

        foreach (var symbol in Symbols)
        {
            if (string.CompareOrdinal(source, _pos, symbol, 0, symbol.Length) == 0)
            {
                _pos += symbol.Length;
                return new Token(TokenKind.Punctuation, symbol, start);
            }
        }

        throw new CelSyntaxException($"unexpected character '{c}'", source, start);
    }

    // r"...", b'...', rb"...", br'...' (either case) start a string or bytes literal.
    private int QuotePrefixLength()
    {
        for (var n = 1; n <= 2 && _pos + n < source.Length; n++)
        {
            var prefix = source.Substring(_pos, n).ToLowerInvariant();
            if (prefix is not ("r" or "b" or "rb" or "br"))
            {
                return 0;
            }

            if (source[_pos + n] is '"' or '\'')
            {
                return n;
            }
        }

        return 0;
    }

    private Token Number()
    {
        var start = _pos;
        if (source[_pos] == '0' && _pos + 1 < source.Length && source[_pos + 1] is 'x' or 'X')
        {
            _pos += 2;
            while (_pos < source.Length && char.IsAsciiHexDigit(source[_pos]))
            {
                _pos++;
            }

            var hex = source[(start + 2).._pos];
            return IntegerToken(start, hex, NumberStyles.AllowHexSpecifier);
        }

        var isDouble = false;
        SkipDigits();
        if (_pos + 1 < source.Length && source[_pos] == '.' && char.IsAsciiDigit(source[_pos + 1]))
        {
            isDouble = true;
            _pos++;
            SkipDigits();
        }

        if (_pos < source.Length && source[_pos] is 'e' or 'E')
        {
            var save = _pos;
            _pos++;
            if (_pos < source.Length && source[_pos] is '+' or '-')
            {
                _pos++;
            }

            if (_pos < source.Length && char.IsAsciiDigit(source[_pos]))
            {
                isDouble = true;
                SkipDigits();
            }
            else
            {
                _pos = save;
            }
        }

        var text = source[start.._pos];
        if (isDouble)
        {
            return new Token(TokenKind.Double, text, start, double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
        }

        return IntegerToken(start, text, NumberStyles.None);
    }

    private Token IntegerToken(int start, string digits, NumberStyles style)
    {
        if (_pos < source.Length && source[_pos] is 'u' or 'U')
        {
            _pos++;
            if (!ulong.TryParse(digits, style, CultureInfo.InvariantCulture, out var u))
            {
                throw new CelSyntaxException("uint literal out of range", source, start);
            }

            return new Token(TokenKind.Uint, source[start.._pos], start, u);
        }

        // Kept as ulong text so that the parser can fold a leading minus into -9223372036854775808.
        if (!ulong.TryParse(digits, style, CultureInfo.InvariantCulture, out var magnitude) || magnitude > 9223372036854775808UL)
        {
            throw new CelSyntaxException("int literal out of range", source, start);
        }

        return new Token(TokenKind.Int, source[start.._pos], start, magnitude);
    }

    private void SkipDigits()
    {
        while (_pos < source.Length && char.IsAsciiDigit(source[_pos]))
        {
            _pos++;
        }
    }

    private Token StringLiteral(int start, bool raw, bool bytes)
    {
        var quote = source[_pos];
        var triple = _pos + 2 < source.Length && source[_pos + 1] == quote && source[_pos + 2] == quote;
        var delimiter = triple ? new string(quote, 3) : quote.ToString();
        _pos += delimiter.Length;
        var bodyStart = _pos;
        while (true)
        {
            if (_pos >= source.Length || (!triple && source[_pos] is '\n' or '\r'))
            {
                throw new CelSyntaxException("unterminated string literal", source, start);
            }

            if (string.CompareOrdinal(source, _pos, delimiter, 0, delimiter.Length) == 0)
            {
                break;
            }

            _pos += !raw && source[_pos] == '\\' ? 2 : 1;
        }

        var body = source[bodyStart.._pos];
        _pos += delimiter.Length;
        try
        {
            var value = LiteralDecoder.Decode(body, raw, bytes);
            return new Token(bytes ? TokenKind.Bytes : TokenKind.String, source[start.._pos], start, value);
        }
        catch (FormatException e)
        {
            throw new CelSyntaxException(e.Message, source, start);
        }
    }
}
