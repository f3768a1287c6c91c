namespace PolicyWebhook.Cel.Syntax;

/// <summary>Expands CEL's macros (has, all, exists, exists_one, map, filter, the two-variable forms and cel.bind) at parse time.</summary>
internal static class Macros
{
    public static Expr? ExpandGlobal(string name, List<Expr> args, int position, string source)
    {
        if (name != "has" || args.Count != 1)
        {
            return null;
        }

        if (args[0] is not SelectExpr { Optional: false } select)
        {
            throw new CelSyntaxException("invalid argument to has() macro", source, position);
        }

        return select with { TestOnly = true };
    }

    public static Expr? ExpandMember(Expr target, string name, List<Expr> args, int position, string source)
    {
        if (target is IdentExpr { Name: "cel" } && CelNamespace(name, args, position, source) is { } expanded)
        {
            return expanded;
        }

        return (name, args.Count) switch
        {
            ("all", 2) => One(ComprehensionKind.All, predicate: true),
            ("exists", 2) => One(ComprehensionKind.Exists, predicate: true),
            ("exists_one" or "existsOne", 2) => One(ComprehensionKind.ExistsOne, predicate: true),
            ("filter", 2) => One(ComprehensionKind.Filter, predicate: true),
            ("map", 2) => One(ComprehensionKind.Map, predicate: false),
            ("optMap", 2) => One(ComprehensionKind.OptMap, predicate: false),
            ("optFlatMap", 2) => One(ComprehensionKind.OptFlatMap, predicate: false),
            ("map", 3) => new ComprehensionExpr(position, ComprehensionKind.Map, Variable(args[0], source), null, target, args[1], args[2]),
            ("all", 3) => Two(ComprehensionKind.All, args[2], null),
            ("exists", 3) => Two(ComprehensionKind.Exists, args[2], null),
            ("exists_one" or "existsOne", 3) => Two(ComprehensionKind.ExistsOne, args[2], null),
            ("transformList", 3) => Two(ComprehensionKind.TransformList, null, args[2]),
            ("transformList", 4) => Two(ComprehensionKind.TransformList, args[2], args[3]),
            ("transformMap", 3) => Two(ComprehensionKind.TransformMap, null, args[2]),
            ("transformMap", 4) => Two(ComprehensionKind.TransformMap, args[2], args[3]),
            ("transformMapEntry", 3) => Two(ComprehensionKind.TransformMapEntry, null, args[2]),
            ("transformMapEntry", 4) => Two(ComprehensionKind.TransformMapEntry, args[2], args[3]),
            _ => null,
        };

        ComprehensionExpr One(ComprehensionKind kind, bool predicate) => new(
            position, kind, Variable(args[0], source), null, target, predicate ? args[1] : null, predicate ? null : args[1]);

        ComprehensionExpr Two(ComprehensionKind kind, Expr? predicate, Expr? transform)
        {
            var first = Variable(args[0], source);
            var second = Variable(args[1], source);
            if (first == second)
            {
                throw new CelSyntaxException($"duplicate variable name '{first}'", source, args[1].Position);
            }

            return new ComprehensionExpr(position, kind, first, second, target, predicate, transform);
        }
    }

    // cel.bind, and the forms optimisers emit: cel.block, cel.index(n) and cel.iterVar(depth, n), named "@index0", "@it:0:0"...
    private static Expr? CelNamespace(string name, List<Expr> args, int position, string source) => (name, args) switch
    {
        ("bind", [var variable, var init, var body]) => new BindExpr(position, Variable(variable, source), init, body),
        ("block", [ListExpr slots, var result]) => new BlockExpr(position, slots.Elements, result),
        ("index", [LiteralExpr { Value: long n }]) => new IdentExpr(position, BlockSlot(n)),
        ("iterVar", [LiteralExpr { Value: long depth }, LiteralExpr { Value: long n }]) => new IdentExpr(position, $"@it:{depth}:{n}"),
        ("accuVar", [LiteralExpr { Value: long depth }, LiteralExpr { Value: long n }]) => new IdentExpr(position, $"@ac:{depth}:{n}"),
        _ => null,
    };

    public static string BlockSlot(long n) => "@index" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Variable(Expr expr, string source) => expr is IdentExpr { Name: var name } && !name.StartsWith('.')
        ? name
        : throw new CelSyntaxException("argument must be a simple name", source, expr.Position);
}
