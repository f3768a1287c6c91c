using PolicyWebhook.Cel.Syntax;
using PolicyWebhook.Cel.Values;

namespace PolicyWebhook.Cel.Evaluation;

/// <summary>Calls: the short-circuit operators, then functions found in the environment with strict error propagation.</summary>
internal sealed partial class Evaluator
{
    private object? EvalCall(CallExpr call)
    {
        switch (call.Function)
        {
            case Operators.LogicalAnd:
                return EvalLogic(call, absorbing: false);
            case Operators.LogicalOr:
                return EvalLogic(call, absorbing: true);
            case Operators.Conditional:
                var condition = Eval(call.Args[0]);
                return condition switch
                {
                    bool b => Eval(call.Args[b ? 1 : 2]),
                    CelError => condition,
                    _ => CelError.NoSuchOverload("_?_:_"),
                };
        }

        if (call.Target is not null && NamespacedFunction(call) is { } namespaced)
        {
            return Invoke(namespaced, call.Function, call.Args, null, hasTarget: false);
        }

        var function = environment.Find(call.Function, call.Target is not null);
        if (function is null)
        {
            return new CelError($"no such function: {call.Function}");
        }

        return Invoke(function, call.Function, call.Args, call.Target, call.Target is not null);
    }

    // math.greatest(...), strings.quote(...), base64.encode(...): a qualified name that is a global function, not a variable.
    private CelFunction? NamespacedFunction(CallExpr call)
    {
        var prefix = call.Target switch
        {
            IdentExpr ident => ident.Name,
            SelectExpr select => select.QualifiedName,
            _ => null,
        };
        if (prefix is null)
        {
            return null;
        }

        var root = RootName(call.Target!);
        if (IsLocal(root) || variables.ContainsKey(root.TrimStart('.')))
        {
            return null;
        }

        return environment.Find(prefix.TrimStart('.') + "." + call.Function, member: false);
    }

    private object? Invoke(CelFunction function, string name, IReadOnlyList<Expr> argExprs, Expr? target, bool hasTarget)
    {
        var offset = hasTarget ? 1 : 0;
        var args = new object?[argExprs.Count + offset];
        if (hasTarget)
        {
            args[0] = Eval(target!);
            if (args[0] is CelError)
            {
                return args[0];
            }
        }

        for (var i = 0; i < argExprs.Count; i++)
        {
            var value = Eval(argExprs[i]);
            if (value is CelError)
            {
                return value;
            }

            args[i + offset] = value;
        }

        try
        {
            return function(args, meter);
        }
        catch (OverflowException)
        {
            return new CelError($"return error for overflow in {name}");
        }
        catch (Exception e) when (e is not CostBudgetExceededException)
        {
            // A function's failure (a bad regex, an unknown time zone, a value out of range) is an error of this expression, never of the caller.
            return new CelError($"{name}: {e.Message}");
        }
    }

    // && and || are commutative over errors: a false (for &&) or true (for ||) on either side wins over an error on the other.
    private object? EvalLogic(CallExpr call, bool absorbing)
    {
        var left = Eval(call.Args[0]);
        if (left is bool l && l == absorbing)
        {
            return left;
        }

        var right = Eval(call.Args[1]);
        if (right is bool r && r == absorbing)
        {
            return right;
        }

        if (left is bool && right is bool)
        {
            return CelValues.Box(!absorbing);
        }

        if (left is CelError)
        {
            return left;
        }

        return right is CelError ? right : CelError.NoSuchOverload(call.Function);
    }
}
