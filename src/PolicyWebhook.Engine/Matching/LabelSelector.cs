using k8s.Models;

namespace PolicyWebhook.Engine.Matching;

/// <summary>A Kubernetes label selector (<c>matchLabels</c> and <c>matchExpressions</c>) ready to test label sets.</summary>
public sealed class LabelSelector
{
    private readonly KeyValuePair<string, string>[] _labels;
    private readonly V1LabelSelectorRequirement[] _expressions;

    public LabelSelector(V1LabelSelector selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        _labels = selector.MatchLabels?.ToArray() ?? [];
        _expressions = selector.MatchExpressions?.ToArray() ?? [];
    }

    /// <summary>True when the selector selects everything, as an empty selector does.</summary>
    public bool IsEmpty => _labels.Length == 0 && _expressions.Length == 0;

    public bool Matches(IDictionary<string, string>? labels)
    {
        foreach (var (key, value) in _labels)
        {
            if (labels is null || !labels.TryGetValue(key, out var actual) || actual != value)
            {
                return false;
            }
        }

        foreach (var expression in _expressions)
        {
            string? actual = null;
            var has = labels is not null && labels.TryGetValue(expression.Key, out actual);
            var values = expression.Values ?? [];
            var ok = expression.OperatorProperty switch
            {
                "In" => has && values.Contains(actual!),
                "NotIn" => !has || !values.Contains(actual!),
                "Exists" => has,
                "DoesNotExist" => !has,
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
