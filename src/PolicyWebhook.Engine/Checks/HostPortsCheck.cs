using System.Globalization;
using PolicyWebhook.Engine.Evaluation;

namespace PolicyWebhook.Engine.Checks;

/// <summary>An inclusive range of host ports, such as 8000-9000; a single port has Min equal to Max.</summary>
public readonly record struct PortRange(int Min, int Max)
{
    public bool Contains(int port) => port >= Min && port <= Max;

    public override string ToString() => Min == Max ? Min.ToString(CultureInfo.InvariantCulture) : $"{Min}-{Max}";
}

/// <summary>A site's parameter for hostPorts: the host port ranges allowed (PSP hostPorts). Empty allows none.</summary>
public sealed record HostPortsOptions(IReadOnlyList<PortRange> Allowed);

/*
 * A host port binds a port on the node itself, bypassing network policy and exposing the node.
 *
 * Restricted fields:
 *   spec.containers[*].ports[*].hostPort
 *   spec.initContainers[*].ports[*].hostPort
 *   spec.ephemeralContainers[*].ports[*].hostPort
 * Allowed values: 0, undefined
 * With parameters (HostPortsOptions): also any port inside one of the allowed ranges.
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

    /// <summary>The check with a site's allowed ranges in place of the standard's "none".</summary>
    public static PodCheck With(HostPortsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var required = options.Allowed.Count == 0 ? "0 or unset" : "0, unset or in " + string.Join(", ", options.Allowed);
        return (pod, findings) =>
        {
            foreach (var container in pod.Containers)
            {
                if (container.Ports is not { } ports)
                {
                    continue;
                }

                for (var i = 0; i < ports.Count; i++)
                {
                    if (ports[i].HostPort is { } hostPort and not 0 && !options.Allowed.Any(r => r.Contains(hostPort)))
                    {
                        var found = hostPort.ToString(CultureInfo.InvariantCulture);
                        var message = options.Allowed.Count == 0
                            ? $"{container.Subject} must not set hostPort={found}"
                            : $"{container.Subject} sets hostPort={found}, outside the allowed ranges {string.Join(", ", options.Allowed)}";
                        findings.Add(container.PathOf($"ports[{i}].hostPort"), message, found, required);
                    }
                }
            }
        };
    }
}
