using PolicyWebhook.Cel.Evaluation;
using PolicyWebhook.Cel.Syntax;
using PolicyWebhook.Cel.Values;

namespace PolicyWebhook.Cel.Checking;

/// <summary>
/// Finds names an expression uses but nothing declares (variables, functions, message types), with a suggestion for a near miss.
/// Not a type checker: it catches the typos a policy author makes, so a broken rule is refused on apply rather than failing on every request.
/// </summary>
internal sealed class DeclarationChecker(string source, IReadOnlyCollection<string> variables, CelEnvironment environment)
{
    private readonly List<CelIssue> _issues = [];
    private readonly List<string> _locals = [];

    public IReadOnlyList<CelIssue> Check(Expr expr)
    {
        Visit(expr);
        return _issues;
    }

    private void Visit(Expr expr)
    {
        switch (expr)
        {
            case IdentExpr ident:
                CheckName(ident.Name.TrimStart('.'), ident.Name.TrimStart('.'), ident.Position);
                break;
            case SelectExpr select when select.QualifiedName is { } qualified && !select.TestOnly:
                CheckName(qualified.TrimStart('.'), RootName(select).TrimStart('.'), RootPosition(select));
                break;
            case SelectExpr select:
                Visit(select.Operand);
                break;
            case CallExpr call:
                VisitCall(call);
                break;
            case ListExpr list:
                list.Elements.ToList().ForEach(Visit);
                break;
            case MapExpr map:
                VisitEntries(map.Entries);
                break;
            case StructExpr structure:
                Report($"unknown type '{structure.TypeName}': message types are not supported", structure.Position);
                VisitEntries(structure.Fields);
                break;
            case ComprehensionExpr c:
                Visit(c.Range);
                Scoped([c.IterVar, .. c.IterVar2 is null ? Array.Empty<string>() : [c.IterVar2]], () =>
                {
                    VisitOptional(c.Predicate);
                    VisitOptional(c.Transform);
                });
                break;
            case BindExpr bind:
                Visit(bind.Init);
                Scoped([bind.Name], () => Visit(bind.Body));
                break;
            case BlockExpr block:
                var mark = _locals.Count;
                for (var i = 0; i < block.Slots.Count; i++)
                {
                    Visit(block.Slots[i]);
                    _locals.Add(Macros.BlockSlot(i));
                }

                Visit(block.Result);
                _locals.RemoveRange(mark, _locals.Count - mark);
                break;
        }
    }

    private void VisitOptional(Expr? expr)
    {
        if (expr is not null)
        {
            Visit(expr);
        }
    }

    private void VisitEntries(IReadOnlyList<EntryExpr> entries)
    {
        foreach (var entry in entries)
        {
            Visit(entry.Key);
            Visit(entry.Value);
        }
    }

    private void Scoped(string[] names, Action body)
    {
        _locals.AddRange(names);
        body();
        _locals.RemoveRange(_locals.Count - names.Length, names.Length);
    }

    private void VisitCall(CallExpr call)
    {
        if (call.Function is Operators.LogicalAnd or Operators.LogicalOr or Operators.Conditional)
        {
            call.Args.ToList().ForEach(Visit);
            return;
        }

        var prefix = call.Target switch
        {
            IdentExpr ident => ident.Name,
            SelectExpr select => select.QualifiedName,
            _ => null,
        };
        var root = call.Target is null ? null : RootName(call.Target).TrimStart('.');
        var namespaced = prefix is not null && !IsDeclared(root!) && environment.Find(prefix.TrimStart('.') + "." + call.Function, member: false) is not null;
        if (!namespaced)
        {
            if (environment.Find(call.Function, call.Target is not null) is null)
            {
                Report($"undeclared reference to '{call.Function}'", call.Position);
            }

            VisitOptional(call.Target);
        }

        call.Args.ToList().ForEach(Visit);
        CheckPattern(call);
    }

    // A constant pattern that .NET's linear engine cannot run is a mistake of the rule, found once on apply.
    private void CheckPattern(CallExpr call)
    {
        if (call.Function is not ("matches" or "find" or "findAll") || call.Args.Count == 0
            || call.Args[call.Target is null && call.Args.Count > 1 ? 1 : 0] is not LiteralExpr { Value: string pattern } literal)
        {
            return;
        }

        try
        {
            Functions.Re2Regex.Get(pattern);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            Report($"invalid regular expression '{pattern}': {e.Message}", literal.Position);
        }
    }

    private bool IsDeclared(string root) => _locals.Contains(root) || variables.Contains(root);

    // a.b.c is fine when a is a variable or comprehension variable, when some dotted prefix is a declared name, or when it names a type.
    private void CheckName(string qualified, string root, int position)
    {
        if (IsDeclared(root) || CelType.Find(qualified) is not null || CelType.Find(root) is not null)
        {
            return;
        }

        for (var end = qualified.Length; end > 0; end = qualified.LastIndexOf('.', end - 1))
        {
            if (variables.Contains(qualified[..end]))
            {
                return;
            }
        }

        var suggestion = Suggest(root);
        Report($"undeclared reference to '{root}'" + (suggestion is null ? string.Empty : $" (did you mean '{suggestion}'?)"), position);
    }

    private string? Suggest(string name) => variables.Concat(_locals)
        .Select(candidate => (candidate, distance: Distance(name.ToLowerInvariant(), candidate.ToLowerInvariant())))
        .Where(c => c.distance <= Math.Max(1, name.Length / 3))
        .OrderBy(c => c.distance)
        .Select(c => c.candidate)
        .FirstOrDefault();

    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }

    private static string RootName(Expr expr) => expr switch
    {
        IdentExpr ident => ident.Name,
        SelectExpr select => RootName(select.Operand),
        _ => string.Empty,
    };

    private static int RootPosition(Expr expr) => expr is SelectExpr select ? RootPosition(select.Operand) : expr.Position;

    private void Report(string message, int position) => _issues.Add(CelIssue.At(message, source, position));
}
