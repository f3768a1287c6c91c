using k8s.Models;

namespace PolicyWebhook.Engine.Evaluation;

/// <summary>Which list of the pod spec a container stands in.</summary>
public enum ContainerKind
{
    Container,
    InitContainer,
    EphemeralContainer,
}

/// <summary>
/// One container of a pod spec, whichever list it stands in. Ephemeral containers have their own model type
/// with the same fields, so this view lets every check visit all three lists in one loop without copying.
/// </summary>
public readonly struct ContainerView
{
    private readonly V1Container? _container;
    private readonly V1EphemeralContainer? _ephemeral;
    private readonly string _specPath;

    internal ContainerView(V1Container container, ContainerKind kind, int index, string specPath)
    {
        _container = container;
        _ephemeral = null;
        Kind = kind;
        Index = index;
        _specPath = specPath;
    }

    internal ContainerView(V1EphemeralContainer container, int index, string specPath)
    {
        _container = null;
        _ephemeral = container;
        Kind = ContainerKind.EphemeralContainer;
        Index = index;
        _specPath = specPath;
    }

    public ContainerKind Kind { get; }

    public int Index { get; }

    public string Name => (_container is not null ? _container.Name : _ephemeral!.Name) ?? string.Empty;

    public string? Image => _container is not null ? _container.Image : _ephemeral!.Image;

    public V1SecurityContext? SecurityContext => _container is not null ? _container.SecurityContext : _ephemeral!.SecurityContext;

    public IList<V1ContainerPort>? Ports => _container is not null ? _container.Ports : _ephemeral!.Ports;

    public IList<V1EnvVar>? Env => _container is not null ? _container.Env : _ephemeral!.Env;

    public IList<string>? Args => _container is not null ? _container.Args : _ephemeral!.Args;

    public IList<string>? Command => _container is not null ? _container.Command : _ephemeral!.Command;

    public V1ResourceRequirements? Resources => _container is not null ? _container.Resources : _ephemeral!.Resources;

    public IList<V1VolumeMount>? VolumeMounts => _container is not null ? _container.VolumeMounts : _ephemeral!.VolumeMounts;

    public V1Probe? LivenessProbe => _container is not null ? _container.LivenessProbe : _ephemeral!.LivenessProbe;

    public V1Probe? ReadinessProbe => _container is not null ? _container.ReadinessProbe : _ephemeral!.ReadinessProbe;

    public V1Probe? StartupProbe => _container is not null ? _container.StartupProbe : _ephemeral!.StartupProbe;

    public V1Lifecycle? Lifecycle => _container is not null ? _container.Lifecycle : _ephemeral!.Lifecycle;

    /// <summary>True for an init container that runs beside the main ones (<c>restartPolicy: Always</c>).</summary>
    public bool IsSidecar => Kind == ContainerKind.InitContainer && _container?.RestartPolicy == "Always";

    /// <summary>The field path of this container in the object the user wrote, such as <c>spec.template.spec.containers[0]</c>.</summary>
    public string Path => $"{_specPath}.{ListName}[{Index}]";

    /// <summary>The path of a field inside this container.</summary>
    public string PathOf(string field) => $"{_specPath}.{ListName}[{Index}].{field}";

    /// <summary>How messages name this container: <c>container "app"</c>, <c>init container "setup"</c>.</summary>
    public string Subject => Kind switch
    {
        ContainerKind.InitContainer => $"init container \"{Name}\"",
        ContainerKind.EphemeralContainer => $"ephemeral container \"{Name}\"",
        _ => $"container \"{Name}\"",
    };

    private string ListName => Kind switch
    {
        ContainerKind.InitContainer => "initContainers",
        ContainerKind.EphemeralContainer => "ephemeralContainers",
        _ => "containers",
    };
}
