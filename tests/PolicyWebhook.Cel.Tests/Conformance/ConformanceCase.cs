using System.Text.Json;
using PolicyWebhook.Cel.Evaluation;
using PolicyWebhook.Cel.Syntax;
using PolicyWebhook.Cel.Values;

namespace PolicyWebhook.Cel.Tests.Conformance;

/// <summary>One conformance test of Conformance/cel-spec/simple: an expression, its bindings and the result it must give.</summary>
internal sealed record ConformanceCase(string Key, JsonElement Test)
{
    private const long Budget = 10_000_000;

    /// <summary>Runs the test; null when it passes, else why it failed.</summary>
    public string? Run()
    {
        if (Test.TryGetProperty("check_only", out _))
        {
            return "check_only: needs the type checker";
        }

        CelProgram program;
        try
        {
            program = CelProgram.Compile(Test.GetProperty("expr").GetString()!);
        }
        catch (CelSyntaxException e)
        {
            return "parse: " + e.Message;
        }

        var variables = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (Test.TryGetProperty("bindings", out var bindings))
        {
            foreach (var binding in bindings.EnumerateObject())
            {
                variables[binding.Name] = ProtoJsonValues.Read(binding.Value.GetProperty("value"));
            }
        }

        var result = program.Evaluate(variables, Budget);
        if (Test.TryGetProperty("eval_error", out _))
        {
            return result.IsError ? null : "expected an error, got " + Show(result.Value);
        }

        if (result.IsError)
        {
            return "error: " + result.Error!.Message;
        }

        object? expected = true;
        if (Test.TryGetProperty("value", out var value))
        {
            expected = ProtoJsonValues.Read(value);
        }
        else if (Test.TryGetProperty("typed_result", out var typed))
        {
            expected = ProtoJsonValues.Read(typed.GetProperty("result"));
        }

        return Matches(expected, result.Value) ? null : $"expected {Show(expected)}, got {Show(result.Value)}";
    }

    // CEL equality, except that NaN matches NaN and an int must not stand for a uint or a double.
    private static bool Matches(object? expected, object? actual)
    {
        if (expected is double e && actual is double a && double.IsNaN(e) && double.IsNaN(a))
        {
            return true;
        }

        if (!Equals(CelValues.TypeOf(expected), CelValues.TypeOf(actual)))
        {
            return false;
        }

        return (expected, actual) switch
        {
            (IReadOnlyList<object?> x, IReadOnlyList<object?> y) => x.Count == y.Count && x.Zip(y).All(p => Matches(p.First, p.Second)),
            (CelMap x, CelMap y) => x.Count == y.Count && x.Entries.All(kv => y.TryGetValue(kv.Key, out var other) && Matches(kv.Value, other)),
            _ => CelValues.Equal(expected, actual),
        };
    }

    private static string Show(object? value) => value switch
    {
        null => "null",
        string s => '"' + s + '"',
        IReadOnlyList<object?> list => "[" + string.Join(", ", list.Select(Show)) + "]",
        CelMap map => "{" + string.Join(", ", map.Entries.Select(kv => Show(kv.Key) + ": " + Show(kv.Value))) + "}",
        _ => $"{value} ({CelValues.TypeOf(value)?.Name})",
    };
}
