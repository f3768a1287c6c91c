using System.Diagnostics;
using PolicyWebhook.Cel.Evaluation;

namespace PolicyWebhook.Cel.Tests.Evaluation;

public sealed class CostBudgetTests
{
    [Fact]
    public void Evaluate_NestedComprehensions_StopWhenBudgetIsSpent()
    {
        // Twenty levels of [1,2,3].map(...) would take 3^20 (3.5 billion) steps.
        var source = "1";
        for (var i = 0; i < 20; i++)
        {
            source = $"[1, 2, 3].map(x{i}, {source})";
        }

        var clock = Stopwatch.StartNew();
        var result = Cel.Run(source, budget: 100_000);

        Assert.True(result.IsError);
        Assert.Contains("cost limit exceeded", result.Error!.Message, StringComparison.Ordinal);
        Assert.InRange(result.Cost, 100_000, 100_100);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Evaluate_StringDoubling_IsChargedBySize()
    {
        // Each bind doubles the string: 2^40 characters if nothing stopped it.
        var source = "s39 + s39";
        for (var i = 39; i >= 0; i--)
        {
            source = $"cel.bind(s{i}, {(i == 0 ? "'xx'" : $"s{i - 1} + s{i - 1}")}, {source})";
        }

        var result = Cel.Run(source, budget: CelProgram.DefaultCostBudget);

        Assert.True(result.IsError);
        Assert.Contains("cost limit exceeded", result.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_WithinBudget_ReportsCost()
    {
        var program = CelProgram.Compile("[1, 2, 3].all(x, x > 0)");

        var result = program.Evaluate(new Dictionary<string, object?>(), costBudget: 1_000);

        Assert.Equal(true, result.Value);
        Assert.InRange(result.Cost, 5, 100);
        Assert.True(program.Evaluate(new Dictionary<string, object?>(), costBudget: 5).IsError);
    }

    [Fact]
    public void Evaluate_HostileRegexInput_StaysLinear()
    {
        var variables = new Dictionary<string, object?> { ["s"] = new string('a', 100_000) + "!" };
        var clock = Stopwatch.StartNew();

        var result = Cel.Run("s.matches('^(a+)+$')", variables);

        Assert.Equal(false, result.Value);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }
}

public sealed class SharedBudgetTests
{
    [Fact]
    public void Evaluate_SharedMeter_StopsTheExpressionThatSpendsTheRequestBudget()
    {
        var meter = new CostMeter(200);
        var program = CelProgram.Compile("[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].all(x, x > 0)");
        var variables = new Dictionary<string, object?>();

        var results = Enumerable.Range(0, 10).Select(_ => program.Evaluate(variables, meter)).ToList();

        Assert.Equal(true, results[0].Value);
        Assert.True(results[^1].IsError);
        Assert.True(meter.Spent > meter.Budget);
    }

    [Fact]
    public void Evaluate_ExpressionMeterInsideRequestMeter_StopsAtTheSmallerLimit()
    {
        var request = new CostMeter(10_000);
        var program = CelProgram.Compile("[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(x, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(y, x * y))");
        var variables = new Dictionary<string, object?>();

        var limited = program.Evaluate(variables, new CostMeter(100, request));
        var allowed = program.Evaluate(variables, new CostMeter(5_000, request));

        Assert.True(limited.IsError);
        Assert.False(allowed.IsError, allowed.Error?.Message);
        Assert.Equal(limited.Cost + allowed.Cost, request.Spent);
    }

    [Fact]
    public void Evaluate_ReplaceThatWouldExplode_IsChargedBeforeBuilding()
    {
        var variables = new Dictionary<string, object?> { ["s"] = new string('a', 100_000) };

        var result = Cel.Run("s.replace('', s)", variables);

        Assert.True(result.IsError);
        Assert.Contains("cost limit exceeded", result.Error!.Message, StringComparison.Ordinal);
    }
}
