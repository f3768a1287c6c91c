using System.Globalization;
using PolicyWebhook.Engine.Evaluation;

namespace PolicyWebhook.Engine.Checks;

/*
 * A host port binds a port on the node itself, bypassing network policy and exposing the node.
 *
 * Restricted fields:
 *   spec.containers[*].ports[*].hostPort
 *   spec.initContainers[*].ports[*].hostPort
 *   spec.ephemeralContainers[*].ports[*].hostPort
 * Allowed values: 0, undefined
 */
public sealed class HostPortsCheck : PssCheck
{
    public override string Id => "hostPorts";

    public override CheckLevel Level => CheckLevel.Baseline;

    public override string Title => "host ports";

    public override IReadOnlyList<CheckVersion> Versions { get; } = [Since(0, V1Dot0)];

    private static void V1Dot0(PodView pod, Findings findings)
    {
        foreach (var container in pod.Containers)
        {
            if (container.Ports is not { } ports)
            {
                continue;
            }

            for (var i = 0; i < ports.Count; i++)
            {
                if (ports[i].HostPort is { } hostPort and not 0)
                {
                    var found = hostPort.ToString(CultureInfo.InvariantCulture);
                    findings.Add(
                        container.PathOf($"ports[{i}].hostPort"),
                        $"{container.Subject} must not set hostPort={found}",
                        found,
                        "0 or unset");
                }
            }
        }
    }
}
