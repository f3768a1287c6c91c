using PolicyWebhook.Engine.Evaluation;

namespace PolicyWebhook.Engine.Checks;

/// <summary>The automountServiceAccountToken check has no parameters.</summary>
public sealed record AutomountServiceAccountTokenOptions
{
    public static AutomountServiceAccountTokenOptions Default { get; } = new();
}

/*
 * Least privilege for access to the API server: a pod must not mount an API token it does not need.
 *
 * Restricted field: spec.automountServiceAccountToken
 * Required: false. A pod that needs a token asks for one explicitly with a projected serviceAccountToken volume,
 * which this check allows. The ServiceAccount's own automountServiceAccountToken is not visible at admission, so
 * the pod must say it. Off in the built-in default; Kyverno restrict-automount-sa-token, Polaris.
 */
public sealed class AutomountServiceAccountTokenCheck : LeastPrivilegeCheck<AutomountServiceAccountTokenOptions>
{
    public override string Id => "automountServiceAccountToken";

    public override string Title => "API token mounted without need";

    public override void Evaluate(PodView pod, AutomountServiceAccountTokenOptions options, Findings findings)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(findings);
        if (pod.Spec.AutomountServiceAccountToken != false)
        {
            findings.Add(
                pod.PathOf("automountServiceAccountToken"),
                $"pod must set automountServiceAccountToken=false, not {Text.OrUnset(pod.Spec.AutomountServiceAccountToken)} (a projected serviceAccountToken volume asks for a token)",
                Text.OrUnset(pod.Spec.AutomountServiceAccountToken),
                "false");
        }
    }
}
