namespace PolicyWebhook.Cel.Syntax;

/// <summary>A node of a parsed CEL expression; Position is the offset of its first character in the source.</summary>
public abstract record Expr(int Position);

/// <summary>A constant: null, bool, long, ulong, double, string or <see cref="Values.CelBytes"/>.</summary>
public sealed record LiteralExpr(int Position, object? Value) : Expr(Position);

/// <summary>A name, resolved against the bound variables, comprehension variables and type names.</summary>
public sealed record IdentExpr(int Position, string Name) : Expr(Position);

/// <summary>Field selection <c>a.f</c>, the presence test <c>has(a.f)</c> or the optional selection <c>a.?f</c>.</summary>
public sealed record SelectExpr(int Position, Expr Operand, string Field, bool TestOnly, bool Optional) : Expr(Position)
{
    /// <summary>The dotted name when the operand is a chain of identifiers (<c>a.b.c</c>), so bound names with dots resolve.</summary>
    public string? QualifiedName { get; init; }
}

/// <summary>A function or operator call; operators use the names of <see cref="Operators"/>.</summary>
public sealed record CallExpr(int Position, string Function, Expr? Target, IReadOnlyList<Expr> Args) : Expr(Position);

/// <summary>A list literal; OptionalIndices mark <c>[?x]</c> elements.</summary>
public sealed record ListExpr(int Position, IReadOnlyList<Expr> Elements, IReadOnlySet<int> OptionalIndices) : Expr(Position);

/// <summary>One entry of a map or message literal.</summary>
public sealed record EntryExpr(Expr Key, Expr Value, bool Optional);

/// <summary>A map literal.</summary>
public sealed record MapExpr(int Position, IReadOnlyList<EntryExpr> Entries) : Expr(Position);

/// <summary>A message literal <c>Name{field: value}</c>; parsed, but evaluation has no message types.</summary>
public sealed record StructExpr(int Position, string TypeName, IReadOnlyList<EntryExpr> Fields) : Expr(Position);

/// <summary>The kinds of comprehension the macros expand to.</summary>
public enum ComprehensionKind
{
    All,
    Exists,
    ExistsOne,
    Map,
    Filter,
    TransformList,
    TransformMap,
    TransformMapEntry,
    OptMap,
    OptFlatMap,
}

/// <summary>A macro over a list or map: iterates Range binding IterVar (and IterVar2 for two-variable forms).</summary>
public sealed record ComprehensionExpr(
    int Position, ComprehensionKind Kind, string IterVar, string? IterVar2, Expr Range, Expr? Predicate, Expr? Transform) : Expr(Position);

/// <summary><c>cel.bind(name, init, body)</c>: evaluates init once and binds it in body.</summary>
public sealed record BindExpr(int Position, string Name, Expr Init, Expr Body) : Expr(Position);

/// <summary><c>cel.block([e0, e1, ...], result)</c>, which optimisers emit: slot i is bound as <c>cel.index(i)</c> for later slots and the result.</summary>
public sealed record BlockExpr(int Position, IReadOnlyList<Expr> Slots, Expr Result) : Expr(Position);
