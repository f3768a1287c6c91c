namespace PolicyWebhook.Cel.Syntax;

/// <summary>A recursive-descent parser for CEL's grammar, from the conditional down to primaries; macros are expanded by <see cref="Macros"/>.</summary>
public sealed partial class Parser
{
    /// <summary>Nesting deeper than this is refused, so a hostile expression cannot exhaust the stack.</summary>
    public const int MaxDepth = 200;

    /// <summary>A tree deeper than this (counting chains such as <c>a + b + c</c>) is refused, so evaluation cannot exhaust the stack.</summary>
    public const int MaxTreeDepth = 250;

    /// <summary>Longer sources are refused, as cel-go's default limit does.</summary>
    public const int MaxLength = 100_000;

    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        "as", "break", "const", "continue", "else", "for", "function", "if", "import", "let", "loop", "package",
        "namespace", "return", "var", "void", "while", "in",
    };

    private readonly string _source;
    private readonly List<Token> _tokens;
    private int _index;
    private int _depth;

    private Parser(string source)
    {
        _source = source;
        _tokens = new Lexer(source).Tokenize();
    }

    /// <summary>Parses one expression; throws <see cref="CelSyntaxException"/> with the position of the first mistake.</summary>
    public static Expr Parse(string source)
    {
        if (source.Length > MaxLength)
        {
            throw new CelSyntaxException($"expression longer than {MaxLength} characters", source, MaxLength);
        }

        var parser = new Parser(source);
        var expr = parser.ParseExpr();
        if (parser.Peek.Kind != TokenKind.End)
        {
            throw parser.Error($"unexpected '{parser.Peek.Text}'", parser.Peek.Position);
        }

        return ExprDepth.Of(expr) > MaxTreeDepth ? throw parser.Error($"expression nested more than {MaxTreeDepth} deep", 0) : expr;
    }

    private Token Peek => _tokens[_index];

    private Token PeekAt(int ahead) => _tokens[Math.Min(_index + ahead, _tokens.Count - 1)];

    private Token Advance() => _tokens[_index++];

    private bool Accept(string symbol)
    {
        if (!Peek.Is(symbol))
        {
            return false;
        }

        _index++;
        return true;
    }

    private Token Expect(string symbol)
    {
        if (!Peek.Is(symbol))
        {
            throw Error(Peek.Kind == TokenKind.End ? $"expected '{symbol}' but the expression ended" : $"expected '{symbol}' but found '{Peek.Text}'", Peek.Position);
        }

        return Advance();
    }

    private CelSyntaxException Error(string reason, int position) => new(reason, _source, position);

    private Expr ParseExpr()
    {
        if (++_depth > MaxDepth)
        {
            throw Error($"expression nested more than {MaxDepth} deep", Peek.Position);
        }

        var condition = ParseOr();
        if (Peek.Is("?"))
        {
            var position = Advance().Position;
            var then = ParseOr();
            Expect(":");
            var otherwise = ParseExpr();
            condition = new CallExpr(position, Operators.Conditional, null, [condition, then, otherwise]);
        }

        _depth--;
        return condition;
    }

    private Expr ParseOr() => ParseLogic("||", Operators.LogicalOr, ParseAnd);

    private Expr ParseAnd() => ParseLogic("&&", Operators.LogicalAnd, ParseRelation);

    // Chains of && or || become balanced trees, as cel-go builds them, so a long generated chain stays shallow.
    private Expr ParseLogic(string symbol, string function, Func<Expr> operand)
    {
        var operands = new List<Expr> { operand() };
        var positions = new List<int>();
        while (Peek.Is(symbol))
        {
            positions.Add(Advance().Position);
            operands.Add(operand());
        }

        return Balance(operands, positions, 0, operands.Count - 1, function);
    }

    private static Expr Balance(List<Expr> operands, List<int> positions, int low, int high, string function)
    {
        if (low == high)
        {
            return operands[low];
        }

        var middle = (low + high + 1) / 2;
        return new CallExpr(
            positions[middle - 1],
            function,
            null,
            [Balance(operands, positions, low, middle - 1, function), Balance(operands, positions, middle, high, function)]);
    }

    private Expr ParseRelation()
    {
        var left = ParseAddition();
        while (true)
        {
            var op = RelationOperator(Peek);
            if (op is null)
            {
                return left;
            }

            var position = Advance().Position;
            left = new CallExpr(position, op, null, [left, ParseAddition()]);
        }
    }

    private static string? RelationOperator(Token token) => token.Kind switch
    {
        TokenKind.Identifier when token.Text == "in" && token.Value is null => Operators.In,
        TokenKind.Punctuation => token.Text switch
        {
            "<" => Operators.Less,
            "<=" => Operators.LessEquals,
            ">" => Operators.Greater,
            ">=" => Operators.GreaterEquals,
            "==" => Operators.Equal,
            "!=" => Operators.NotEqual,
            _ => null,
        },
        _ => null,
    };

    private Expr ParseAddition()
    {
        var left = ParseMultiplication();
        while (Peek.Is("+") || Peek.Is("-"))
        {
            var token = Advance();
            left = new CallExpr(token.Position, token.Text == "+" ? Operators.Add : Operators.Subtract, null, [left, ParseMultiplication()]);
        }

        return left;
    }

    private Expr ParseMultiplication()
    {
        var left = ParseUnary();
        while (Peek.Is("*") || Peek.Is("/") || Peek.Is("%"))
        {
            var token = Advance();
            var op = token.Text switch { "*" => Operators.Multiply, "/" => Operators.Divide, _ => Operators.Modulo };
            left = new CallExpr(token.Position, op, null, [left, ParseUnary()]);
        }

        return left;
    }

    private Expr ParseUnary()
    {
        if (Peek.Is("!") || Peek.Is("-"))
        {
            var token = Advance();
            if (token.Text == "-" && PeekAt(0).Kind is TokenKind.Int or TokenKind.Double && !Peek.Is("-"))
            {
                var number = Advance();
                return ParseMemberSuffixes(NegativeLiteral(number, token.Position));
            }

            if (++_depth > MaxDepth)
            {
                throw Error($"expression nested more than {MaxDepth} deep", token.Position);
            }

            var operand = ParseUnary();
            _depth--;
            return new CallExpr(token.Position, token.Text == "!" ? Operators.LogicalNot : Operators.Negate, null, [operand]);
        }

        return ParseMemberSuffixes(ParsePrimary());
    }

    private static LiteralExpr NegativeLiteral(Token number, int position)
    {
        if (number.Kind == TokenKind.Double)
        {
            return new LiteralExpr(position, -(double)number.Value!);
        }

        var magnitude = (ulong)number.Value!;
        return new LiteralExpr(position, magnitude == 9223372036854775808UL ? long.MinValue : -(long)magnitude);
    }
}
