using k8s.Models;
using PolicyWebhook.Engine.Evaluation;

namespace PolicyWebhook.Engine.Checks;

/*
 * A probe or lifecycle hook with a host makes the kubelet connect to any address it names, from the node.
 *
 * Restricted fields, for containers, init containers and ephemeral containers:
 *   {livenessProbe,readinessProbe,startupProbe}.{httpGet,tcpSocket}.host
 *   lifecycle.{postStart,preStop}.{httpGet,tcpSocket}.host
 * Allowed values: "", undefined
 * New in v1.34.
 */
public sealed class HostProbesAndHostLifecycleCheck : PssCheck
{
    public override string Id => "hostProbesAndHostLifecycle";

    public override CheckLevel Level => CheckLevel.Baseline;

    public override string Title => "probe or lifecycle host";

    public override IReadOnlyList<CheckVersion> Versions { get; } = [Since(34, V1Dot34)];

    private static void V1Dot34(PodView pod, Findings findings)
    {
        foreach (var container in pod.Containers)
        {
            Report(findings, container, "livenessProbe", container.LivenessProbe?.HttpGet, container.LivenessProbe?.TcpSocket);
            Report(findings, container, "readinessProbe", container.ReadinessProbe?.HttpGet, container.ReadinessProbe?.TcpSocket);
            Report(findings, container, "startupProbe", container.StartupProbe?.HttpGet, container.StartupProbe?.TcpSocket);
            Report(findings, container, "lifecycle.postStart", container.Lifecycle?.PostStart?.HttpGet, container.Lifecycle?.PostStart?.TcpSocket);
            Report(findings, container, "lifecycle.preStop", container.Lifecycle?.PreStop?.HttpGet, container.Lifecycle?.PreStop?.TcpSocket);
        }
    }

    private static void Report(Findings findings, ContainerView container, string handler, V1HTTPGetAction? httpGet, V1TCPSocketAction? tcpSocket)
    {
        if (!string.IsNullOrEmpty(httpGet?.Host))
        {
            Add(findings, container, $"{handler}.httpGet.host", httpGet.Host);
        }

        if (!string.IsNullOrEmpty(tcpSocket?.Host))
        {
            Add(findings, container, $"{handler}.tcpSocket.host", tcpSocket.Host);
        }
    }

    private static void Add(Findings findings, ContainerView container, string field, string host) =>
        findings.Add(container.PathOf(field), $"{container.Subject} must not set {field}={host}", host, "unset (the pod's own IP)");
}
