using k8s.Models;
using PolicyWebhook.Engine.Images;
using PolicyWebhook.Engine.Matching;

namespace PolicyWebhook.Engine.Evaluation;

/// <summary>
/// A pod spec as the checks see it: the spec and its metadata, where both stand in the object the user wrote
/// (so every message can name the exact field), and which containers a policy leaves out by image.
/// </summary>
public sealed class PodView
{
    private readonly GlobSet? _excludedImages;

    public PodView(V1PodSpec spec, V1ObjectMeta? metadata, string specPath, string metadataPath, GlobSet? excludedImages = null, string? kind = null)
    {
        Kind = kind;
        Spec = spec;
        Metadata = metadata;
        SpecPath = specPath;
        MetadataPath = metadataPath;
        _excludedImages = excludedImages is { IsEmpty: false } ? excludedImages : null;
    }

    public V1PodSpec Spec { get; }

    /// <summary>The kind of object the pod spec stands in (Pod, Deployment, Job...); null where unknown.</summary>
    public string? Kind { get; }

    /// <summary>The pod's (or pod template's) metadata; annotations carry the older AppArmor and seccomp settings.</summary>
    public V1ObjectMeta? Metadata { get; }

    /// <summary>Where the pod spec stands in the object, such as <c>spec.template.spec</c>.</summary>
    public string SpecPath { get; }

    /// <summary>Where the pod metadata stands in the object, such as <c>spec.template.metadata</c>.</summary>
    public string MetadataPath { get; }

    /// <summary>What was gathered of the pod's images before evaluating; null offline.</summary>
    public IImageFactsLookup? ImageFacts { get; init; }

    /// <summary>The time the evaluation is judged at (the age of a vulnerability scan).</summary>
    public DateTimeOffset Now { get; init; } = DateTimeOffset.UtcNow;

    public V1PodSecurityContext? SecurityContext => Spec.SecurityContext;

    /// <summary>True when <c>spec.os.name</c> says the pod runs on Windows.</summary>
    public bool IsWindows => string.Equals(Spec.Os?.Name, "windows", StringComparison.Ordinal);

    /// <summary>
    /// True when the pod asks for its own user namespace (<c>spec.hostUsers: false</c>), where uid 0 in a container
    /// maps to an unprivileged uid on the node. Unset means the host's user namespace.
    /// </summary>
    public bool InUserNamespace => Spec.HostUsers == false;

    /// <summary>Every container, init container and ephemeral container, less those whose image the policy excludes.</summary>
    public ContainerEnumerable Containers => new(this);

    public string PathOf(string field) => $"{SpecPath}.{field}";

    internal bool IsExcluded(string? image) => _excludedImages is not null && image is not null && _excludedImages.Matches(image);

    /// <summary>Enumerates the three container lists without allocating.</summary>
    public readonly struct ContainerEnumerable(PodView pod)
    {
        public ContainerEnumerator GetEnumerator() => new(pod);
    }

    /// <summary>The enumerator behind <see cref="Containers"/>.</summary>
    public struct ContainerEnumerator(PodView pod)
    {
        private int _list;
        private int _index = -1;

        public ContainerView Current { get; private set; }

        public bool MoveNext()
        {
            var spec = pod.Spec;
            while (_list < 3)
            {
                _index++;
                switch (_list)
                {
                    // A null entry ("containers": [null]) is invalid and the API server refuses it; skip it rather than fail.
                    case 0 when spec.Containers is { } containers && _index < containers.Count:
                        if (containers[_index] is null)
                        {
                            continue;
                        }

                        Current = new ContainerView(containers[_index], ContainerKind.Container, _index, pod.SpecPath);
                        break;
                    case 1 when spec.InitContainers is { } inits && _index < inits.Count:
                        if (inits[_index] is null)
                        {
                            continue;
                        }

                        Current = new ContainerView(inits[_index], ContainerKind.InitContainer, _index, pod.SpecPath);
                        break;
                    case 2 when spec.EphemeralContainers is { } ephemeral && _index < ephemeral.Count:
                        if (ephemeral[_index] is null)
                        {
                            continue;
                        }

                        Current = new ContainerView(ephemeral[_index], _index, pod.SpecPath);
                        break;
                    default:
                        _list++;
                        _index = -1;
                        continue;
                }

                if (!pod.IsExcluded(Current.Image))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
