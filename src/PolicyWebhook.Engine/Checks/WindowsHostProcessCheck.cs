using PolicyWebhook.Engine.Evaluation;

namespace PolicyWebhook.Engine.Checks;

/*
 * A Windows HostProcess container runs directly on the node with its privileges.
 *
 * Restricted fields:
 *   spec.securityContext.windowsOptions.hostProcess
 *   spec.containers[*].securityContext.windowsOptions.hostProcess, and init and ephemeral containers
 * Allowed values: false, undefined
 */
public sealed class WindowsHostProcessCheck : PssCheck
{
    public override string Id => "windowsHostProcess";

    public override CheckLevel Level => CheckLevel.Baseline;

    public override string Title => "Windows HostProcess containers";

    public override IReadOnlyList<CheckVersion> Versions { get; } = [Since(0, V1Dot0)];

    private static void V1Dot0(PodView pod, Findings findings)
    {
        if (pod.SecurityContext?.WindowsOptions?.HostProcess == true)
        {
            findings.Add(
                pod.PathOf("securityContext.windowsOptions.hostProcess"),
                "pod must not set securityContext.windowsOptions.hostProcess=true",
                "true",
                "false or unset");
        }

        foreach (var container in pod.Containers)
        {
            if (container.SecurityContext?.WindowsOptions?.HostProcess == true)
            {
                findings.Add(
                    container.PathOf("securityContext.windowsOptions.hostProcess"),
                    $"{container.Subject} must not set securityContext.windowsOptions.hostProcess=true",
                    "true",
                    "false or unset");
            }
        }
    }
}
