using System.Text;
using PolicyWebhook.Engine;

namespace PolicyWebhook.Host.Admission;

/// <summary>
/// Turns the engine's verdict into an answer: Enforce violations deny with the one-read message, Warn violations
/// become warnings (near 120 characters each, bounded in number), Audit violations become audit annotations.
/// </summary>
public static class VerdictResponse
{
    /// <summary>The API server asks for warnings of 120 characters where possible and may cut those over 256.</summary>
    public const int WarningLength = 120;

    /// <summary>The longest audit annotation value written; a longer one is cut.</summary>
    public const int AnnotationValueLength = 1000;

    public static AdmissionOutcome From(EvaluationResult result, AdmissionOptions options)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(options);
        if (result.Violations.Count == 0)
        {
            return new AdmissionOutcome(AdmissionResponse.Allow, Decisions.Allowed, []) { Waived = result.Waived };
        }

        var warnings = Warnings(result, options.MaxWarnings);
        var annotations = AuditAnnotations(result, options.MaxAuditAnnotations);
        var allowed = result.Allowed;
        var response = new AdmissionResponse
        {
            Allowed = allowed,
            Code = allowed ? 0 : StatusCodes.Status403Forbidden,
            Reason = allowed ? null : "Forbidden",
            Message = allowed ? null : VerdictText.Listing(result, PolicyMode.Enforce),
            Warnings = warnings,
            AuditAnnotations = annotations,
        };
        return new AdmissionOutcome(response, allowed ? Decisions.Allowed : Decisions.Denied, result.Violations) { Waived = result.Waived };
    }

    /// <summary>One warning for a violation: <c>policy: check: message (path)</c>, shortened to fit.</summary>
    public static string Warning(Violation violation)
    {
        ArgumentNullException.ThrowIfNull(violation);
        var head = $"{violation.Policy.Name}: {violation.Check}: ";
        var full = $"{head}{violation.Message} at {violation.Path}";
        if (full.Length <= WarningLength)
        {
            return full;
        }

        return Shorten(head + violation.Message, WarningLength);
    }

    /// <summary>The text as it is when it fits in <paramref name="max"/> characters, else cut to fit with <c>...</c> at its end.</summary>
    public static string Shorten(string text, int max)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length <= max ? text : string.Concat(text.AsSpan(0, max - 3), "...");
    }

    private static List<string> Warnings(EvaluationResult result, int max)
    {
        var warned = result.InMode(PolicyMode.Warn).ToList();
        var warnings = new List<string>(Math.Min(warned.Count, max));
        for (var i = 0; i < warned.Count; i++)
        {
            if (i == max - 1 && warned.Count > max)
            {
                warnings.Add($"and {warned.Count - i} more warnings; run 'policywebhook check' on the manifest to see them all");
                break;
            }

            warnings.Add(Warning(warned[i]));
        }

        return warnings;
    }

    private static Dictionary<string, string> AuditAnnotations(EvaluationResult result, int max)
    {
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var group in result.InMode(PolicyMode.Audit).GroupBy(v => (v.Policy, v.Check)))
        {
            if (annotations.Count == max)
            {
                break;
            }

            // The API server prefixes each key with the webhook's name; the key itself must be a qualified name.
            var key = Key($"{group.Key.Policy.Name}.{group.Key.Check}");
            var value = new StringBuilder();
            foreach (var violation in group)
            {
                if (value.Length > AnnotationValueLength)
                {
                    break;
                }

                value.Append(value.Length > 0 ? "; " : string.Empty).Append(violation.Message).Append(" at ").Append(violation.Path);
            }

            annotations[key] = Shorten(value.ToString(), AnnotationValueLength);
        }

        return annotations;
    }

    private static string Key(string raw)
    {
        var key = new StringBuilder(Math.Min(raw.Length, 63));
        foreach (var c in raw)
        {
            if (key.Length == 63)
            {
                break;
            }

            key.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-');
        }

        return key.ToString().Trim('-', '_', '.');
    }
}
