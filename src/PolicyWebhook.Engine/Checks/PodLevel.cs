using PolicyWebhook.Engine.Evaluation;

namespace PolicyWebhook.Engine.Checks;

/// <summary>For fields the pod's securityContext may set for all its containers: whether to say the fix once, at pod level.</summary>
internal static class PodLevel
{
    /// <summary>The number of containers when none of them sets the field; 0 when one does.</summary>
    public static int NoneSets(PodView pod, Func<ContainerView, bool> sets)
    {
        var count = 0;
        foreach (var container in pod.Containers)
        {
            if (sets(container))
            {
                return 0;
            }

            count++;
        }

        return count;
    }
}
