namespace PolicyWebhook.Cel.Syntax;

/// <summary>Primaries and member suffixes: literals, names, calls, selection, indexing, list, map and message literals.</summary>
public sealed partial class Parser
{
    private Expr ParseMemberSuffixes(Expr operand)
    {
        while (true)
        {
            if (Peek.Is(".") || Peek.Is(".?"))
            {
                var optional = Advance().Text == ".?";
                var name = Peek;
                if (name.Kind != TokenKind.Identifier)
                {
                    throw Error("expected a field name after '.'", name.Position);
                }

                _index++;
                if (!optional && Peek.Is("(") && name.Value is null)
                {
                    Advance();
                    var position = name.Position;
                    var args = ParseArguments(")");
                    operand = Macros.ExpandMember(operand, name.Text, args, position, _source) ?? new CallExpr(position, name.Text, operand, args);
                    continue;
                }

                operand = new SelectExpr(name.Position, operand, name.Text, false, optional) { QualifiedName = Qualify(operand, name.Text) };
            }
            else if (Peek.Is("[") || Peek.Is("[?"))
            {
                var token = Advance();
                var index = ParseExpr();
                Expect("]");
                operand = new CallExpr(token.Position, token.Text == "[?" ? Operators.OptionalIndex : Operators.Index, null, [operand, index]);
            }
            else if (Peek.Is("{") && StructName(operand) is { } typeName)
            {
                var position = Advance().Position;
                operand = new StructExpr(position, typeName, ParseEntries(fieldNames: true));
            }
            else
            {
                return operand;
            }
        }
    }

    private static string? Qualify(Expr operand, string field) => operand switch
    {
        IdentExpr ident => ident.Name + "." + field,
        SelectExpr { QualifiedName: { } name } => name + "." + field,
        _ => null,
    };

    private static string? StructName(Expr operand) => operand switch
    {
        IdentExpr ident => ident.Name,
        SelectExpr { QualifiedName: { } name, Optional: false } => name,
        _ => null,
    };

    private Expr ParsePrimary()
    {
        var token = Advance();
        switch (token.Kind)
        {
            case TokenKind.Int:
                var magnitude = (ulong)token.Value!;
                if (magnitude > long.MaxValue)
                {
                    throw Error("int literal out of range", token.Position);
                }

                return new LiteralExpr(token.Position, (long)magnitude);
            case TokenKind.Uint or TokenKind.Double or TokenKind.String or TokenKind.Bytes:
                return new LiteralExpr(token.Position, token.Value);
            case TokenKind.Identifier when token.Value is null:
                return ParseName(token, leadingDot: false);
            case TokenKind.Punctuation when token.Text == "." && Peek.Kind == TokenKind.Identifier:
                return ParseName(Advance(), leadingDot: true);
            case TokenKind.Punctuation when token.Text == "(":
                var inner = ParseExpr();
                Expect(")");
                return inner;
            case TokenKind.Punctuation when token.Text == "[":
                return ParseList(token.Position, firstOptional: false);
            case TokenKind.Punctuation when token.Text == "[?":
                return ParseList(token.Position, firstOptional: true);
            case TokenKind.Punctuation when token.Text == "{":
                return new MapExpr(token.Position, ParseEntries(fieldNames: false));
            case TokenKind.End:
                throw Error("unexpected end of expression", token.Position);
            default:
                throw Error($"unexpected '{token.Text}'", token.Position);
        }
    }

    private Expr ParseName(Token name, bool leadingDot)
    {
        switch (name.Text)
        {
            case "true":
                return new LiteralExpr(name.Position, true);
            case "false":
                return new LiteralExpr(name.Position, false);
            case "null":
                return new LiteralExpr(name.Position, null);
        }

        if (Reserved.Contains(name.Text))
        {
            throw Error($"reserved identifier '{name.Text}'", name.Position);
        }

        var text = leadingDot ? "." + name.Text : name.Text;
        if (Peek.Is("("))
        {
            Advance();
            var position = name.Position;
            var args = ParseArguments(")");
            return Macros.ExpandGlobal(text, args, position, _source) ?? new CallExpr(position, text, null, args);
        }

        return new IdentExpr(name.Position, text);
    }

    private List<Expr> ParseArguments(string close)
    {
        var args = new List<Expr>();
        if (Accept(close))
        {
            return args;
        }

        do
        {
            args.Add(ParseExpr());
        }
        while (Accept(",") && !Peek.Is(close));
        Expect(close);
        return args;
    }

    private ListExpr ParseList(int position, bool firstOptional)
    {
        var elements = new List<Expr>();
        var optional = new HashSet<int>();
        if (firstOptional)
        {
            optional.Add(0);
            elements.Add(ParseExpr());
            if (!Accept(","))
            {
                Expect("]");
                return new ListExpr(position, elements, optional);
            }
        }

        while (!Peek.Is("]"))
        {
            if (Accept("?"))
            {
                optional.Add(elements.Count);
            }

            elements.Add(ParseExpr());
            if (!Accept(","))
            {
                break;
            }
        }

        Expect("]");
        return new ListExpr(position, elements, optional);
    }

    private List<EntryExpr> ParseEntries(bool fieldNames)
    {
        var entries = new List<EntryExpr>();
        while (!Peek.Is("}"))
        {
            var optional = Accept("?");
            Expr key;
            if (fieldNames)
            {
                var field = Advance();
                if (field.Kind != TokenKind.Identifier)
                {
                    throw Error("expected a field name", field.Position);
                }

                key = new LiteralExpr(field.Position, field.Text);
            }
            else
            {
                key = ParseExpr();
            }

            Expect(":");
            entries.Add(new EntryExpr(key, ParseExpr(), optional));
            if (!Accept(","))
            {
                break;
            }
        }

        Expect("}");
        return entries;
    }
}
