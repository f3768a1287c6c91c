namespace PolicyWebhook.Cel.Syntax;

/// <summary>Measures a tree's depth without recursion, so that a hostile chain (<c>1 + 1 + ... + 1</c>, <c>a.b.c...</c>) is refused before evaluation recurses into it.</summary>
internal static class ExprDepth
{
    public static int Of(Expr root)
    {
        var deepest = 0;
        var pending = new Stack<(Expr Node, int Depth)>();
        pending.Push((root, 1));
        while (pending.Count > 0)
        {
            var (node, depth) = pending.Pop();
            deepest = Math.Max(deepest, depth);
            foreach (var child in Children(node))
            {
                pending.Push((child, depth + 1));
            }
        }

        return deepest;
    }

    private static IEnumerable<Expr> Children(Expr node)
    {
        switch (node)
        {
            case SelectExpr select:
                yield return select.Operand;
                break;
            case CallExpr call:
                if (call.Target is not null)
                {
                    yield return call.Target;
                }

                foreach (var arg in call.Args)
                {
                    yield return arg;
                }

                break;
            case ListExpr list:
                foreach (var element in list.Elements)
                {
                    yield return element;
                }

                break;
            case MapExpr or StructExpr:
                foreach (var entry in node is MapExpr map ? map.Entries : ((StructExpr)node).Fields)
                {
                    yield return entry.Key;
                    yield return entry.Value;
                }

                break;
            case ComprehensionExpr c:
                yield return c.Range;
                if (c.Predicate is not null)
                {
                    yield return c.Predicate;
                }

                if (c.Transform is not null)
                {
                    yield return c.Transform;
                }

                break;
            case BindExpr bind:
                yield return bind.Init;
                yield return bind.Body;
                break;
            case BlockExpr block:
                foreach (var slot in block.Slots)
                {
                    yield return slot;
                }

                yield return block.Result;
                break;
        }
    }
}
