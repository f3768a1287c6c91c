using PolicyWebhook.Engine.Evaluation;

namespace PolicyWebhook.Engine.Checks;

/// <summary>Host paths to refuse besides the container runtime sockets, their directories and <c>/</c>.</summary>
public sealed record RuntimeSocketsOptions(IReadOnlyList<string> AdditionalPaths)
{
    public static RuntimeSocketsOptions Default { get; } = new([]);
}

/*
 * Container breakout: whoever reaches the container runtime's socket, or the host's root, owns the node.
 *
 * Restricted field: spec.volumes[*].hostPath.path
 * Forbidden values: "/", a container runtime socket (docker.sock, containerd.sock, crio.sock, cri-dockerd.sock,
 * podman.sock, under /var/run or /run), a directory holding one (/var/run, /run, /var/run/containerd, ...),
 * and any AdditionalPaths. Paths are compared after removing trailing and doubled slashes.
 */
public sealed class RuntimeSocketsCheck : LeastPrivilegeCheck<RuntimeSocketsOptions>
{
    private static readonly string[] SocketNames = ["docker.sock", "containerd.sock", "crio.sock", "cri-dockerd.sock", "podman.sock"];

    private static readonly HashSet<string> SocketDirectories = new(StringComparer.Ordinal)
    {
        "/var", "/run", "/var/run", "/var/run/containerd", "/run/containerd", "/var/run/crio", "/run/crio",
        "/var/run/docker", "/run/docker", "/var/run/podman", "/run/podman", "/run/k3s", "/run/k3s/containerd",
    };

    public override string Id => "runtimeSockets";

    public override string Title => "container runtime socket or host root mounts";

    public override void Evaluate(PodView pod, RuntimeSocketsOptions options, Findings findings)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(findings);
        if (pod.Spec.Volumes is not { } volumes)
        {
            return;
        }

        for (var i = 0; i < volumes.Count; i++)
        {
            if (volumes[i].HostPath?.Path is not { } raw)
            {
                continue;
            }

            var path = Normalize(raw);
            var what = path == "/" ? "the host's root filesystem"
                : Array.Exists(SocketNames, s => path.EndsWith("/" + s, StringComparison.Ordinal)) ? "the container runtime socket"
                : SocketDirectories.Contains(path) ? "a host directory that holds container runtime sockets"
                : options.AdditionalPaths.Any(p => Normalize(p) == path) ? "a host path this policy forbids"
                : null;
            if (what is not null)
            {
                findings.Add(
                    pod.PathOf($"volumes[{i}].hostPath.path"),
                    $"volume \"{volumes[i].Name}\" must not mount {what} ({path})",
                    path,
                    "no runtime socket, socket directory or / from the host");
            }
        }
    }

    private static string Normalize(string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return "/" + string.Join('/', parts);
    }
}
