using PolicyWebhook.Cel.Checking;
using PolicyWebhook.Cel.Syntax;
using PolicyWebhook.Cel.Values;

namespace PolicyWebhook.Cel.Evaluation;

/// <summary>A parsed CEL expression, compiled once and evaluated many times with bound variables and a cost budget.</summary>
public sealed class CelProgram
{
    /// <summary>The default budget of one evaluation: Kubernetes' per-expression limit (1,000,000 cost units).</summary>
    public const long DefaultCostBudget = 1_000_000;

    private CelProgram(string source, Expr ast, CelEnvironment environment)
    {
        Source = source;
        Ast = ast;
        Environment = environment;
    }

    public string Source { get; }

    public Expr Ast { get; }

    public CelEnvironment Environment { get; }

    /// <summary>Parses the source; throws <see cref="CelSyntaxException"/> with a position when it does not parse.</summary>
    public static CelProgram Compile(string source, CelEnvironment? environment = null) =>
        new(source, Parser.Parse(source), environment ?? CelEnvironment.Default);

    /// <summary>
    /// Parses the source and checks that every name it uses is one of the declared variables, a comprehension variable, a function
    /// of the environment or a type; throws <see cref="CelCompileException"/> listing every mistake with its line and column.
    /// </summary>
    public static CelProgram Compile(string source, IReadOnlyCollection<string> declaredVariables, CelEnvironment? environment = null)
    {
        Expr ast;
        try
        {
            ast = Parser.Parse(source);
        }
        catch (CelSyntaxException e)
        {
            throw new CelCompileException([new CelIssue(e.Reason, e.Position, e.Line, e.Column)]);
        }

        environment ??= CelEnvironment.Default;
        var issues = new DeclarationChecker(source, declaredVariables, environment).Check(ast);
        return issues.Count > 0 ? throw new CelCompileException(issues) : new CelProgram(source, ast, environment);
    }

    /// <summary>Evaluates with the given variables (values of the CEL value model, see <see cref="CelValues"/>); never throws for CEL errors.</summary>
    public CelResult Evaluate(IReadOnlyDictionary<string, object?> variables, long costBudget = DefaultCostBudget) =>
        Evaluate(variables, new CostMeter(costBudget));

    /// <summary>Evaluates charging a meter that may be shared, so that all expressions of one request draw on one budget.</summary>
    public CelResult Evaluate(IReadOnlyDictionary<string, object?> variables, CostMeter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        var before = meter.Spent;
        try
        {
            var value = new Evaluator(Environment, variables, meter).Eval(Ast);
            return value is CelError error ? new CelResult(null, error, meter.Spent - before) : new CelResult(value, null, meter.Spent - before);
        }
        catch (CostBudgetExceededException e)
        {
            return new CelResult(null, new CelError(e.Message), meter.Spent - before);
        }
    }
}
