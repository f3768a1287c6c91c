using System.Text;

namespace PolicyWebhook.Engine;

/// <summary>The one wording of verdicts that the webhook, the command line and reports share.</summary>
public static class VerdictText
{
    /// <summary>
    /// One sentence per policy naming every violation in <paramref name="mode"/>:
    /// <c>Deployment "web" violates ClusterPolicy "restricted": runAsNonRoot (container "app" must set ... at ...); ...</c>
    /// Empty when there is none.
    /// </summary>
    public static string Summary(EvaluationResult result, PolicyMode mode = PolicyMode.Enforce)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = new StringBuilder();
        foreach (var group in result.InMode(mode).GroupBy(v => v.Policy))
        {
            if (text.Length > 0)
            {
                text.Append(". ");
            }

            text.Append(result.Kind).Append(" \"").Append(result.Name).Append("\" violates ").Append(group.Key).Append(": ");
            text.AppendJoin("; ", group.Select(v => v.ToString()));
        }

        return text.ToString();
    }

    /// <summary>
    /// The denial as <c>kubectl</c> shows it: one line per policy, then one line per violation, so a long list reads
    /// as a list:
    /// <code>
    /// Pod "web" violates ClusterPolicy "default":
    /// - runAsNonRoot (container "app" must set securityContext.runAsNonRoot=true at spec.containers[0]...)
    /// </code>
    /// </summary>
    /// <remarks>At most <paramref name="maxViolations"/> lines of violations; a last line says how many more there are.</remarks>
    public static string Listing(EvaluationResult result, PolicyMode mode = PolicyMode.Enforce, int maxViolations = 50)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = new StringBuilder();
        var listed = 0;
        var more = result.Omitted;
        foreach (var group in result.InMode(mode).GroupBy(v => v.Policy))
        {
            var header = false;
            foreach (var violation in group)
            {
                if (listed == maxViolations)
                {
                    more++;
                    continue;
                }

                if (!header)
                {
                    header = true;
                    text.Append(text.Length > 0 ? "\n" : string.Empty)
                        .Append(result.Kind).Append(" \"").Append(result.Name).Append("\" violates ").Append(group.Key).Append(':');
                }

                text.Append("\n- ").Append(violation.ToString());
                listed++;
            }
        }

        if (more > 0)
        {
            text.Append("\n- and ").Append(more).Append(" more violations; run 'policywebhook check' on the manifest to see them all");
        }

        return text.ToString();
    }

    /// <summary>The sentence for one violation, prefixed with its policy: <c>ClusterPolicy "x": check (message at path)</c>.</summary>
    public static string Line(Violation violation)
    {
        ArgumentNullException.ThrowIfNull(violation);
        return $"{violation.Policy}: {violation}";
    }
}
