using PolicyWebhook.Engine.Evaluation;

namespace PolicyWebhook.Engine.Checks;

/// <summary>A site's parameter for hostNamespaces: whether hostNetwork is allowed (PSP hostNetwork); hostPID and hostIPC stay forbidden.</summary>
public sealed record HostNamespacesOptions(bool AllowHostNetwork);

/*
 * Sharing the host's network, process or IPC namespace lets a pod see and reach the node.
 *
 * Restricted fields: spec.hostNetwork, spec.hostPID, spec.hostIPC
 * Allowed values: false, undefined
 * With parameters (HostNamespacesOptions): hostNetwork may also be true when AllowHostNetwork is set.
 */
public sealed class HostNamespacesCheck : PssCheck
{
    public override string Id => "hostNamespaces";

    public override CheckLevel Level => CheckLevel.Baseline;

    public override string Title => "host namespaces";

    public override IReadOnlyList<CheckVersion> Versions { get; } = [Since(0, V1Dot0)];

    private static void V1Dot0(PodView pod, Findings findings)
    {
        Report(pod, findings, "hostNetwork", pod.Spec.HostNetwork);
        Report(pod, findings, "hostPID", pod.Spec.HostPID);
        Report(pod, findings, "hostIPC", pod.Spec.HostIPC);
    }

    /// <summary>The check with a site's hostNetwork choice; hostPID and hostIPC are judged as the standard does.</summary>
    public static PodCheck With(HostNamespacesOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return (pod, findings) =>
        {
            if (!options.AllowHostNetwork)
            {
                Report(pod, findings, "hostNetwork", pod.Spec.HostNetwork);
            }

            Report(pod, findings, "hostPID", pod.Spec.HostPID);
            Report(pod, findings, "hostIPC", pod.Spec.HostIPC);
        };
    }

    private static void Report(PodView pod, Findings findings, string field, bool? value)
    {
        if (value == true)
        {
            findings.Add(pod.PathOf(field), $"pod must not set {field}=true", "true", "false or unset");
        }
    }
}
