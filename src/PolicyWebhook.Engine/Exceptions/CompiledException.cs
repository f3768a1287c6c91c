using System.Text.RegularExpressions;
using PolicyWebhook.Engine.Matching;

namespace PolicyWebhook.Engine.Exceptions;

/// <summary>A violation an exception waived: the violation as it was found, and the exception that waived it.</summary>
public sealed record WaivedViolation(Violation Violation, PolicyReference Exception);

/// <summary>
/// A PolicyException in the engine's terms: in its own namespace, for one policy, it waives named checks on the
/// objects it selects (by name, label or kind), optionally only for some containers or images, until it expires.
/// </summary>
public sealed partial class CompiledException
{
    public CompiledException(
        PolicyReference reference,
        PolicyReference policy,
        IReadOnlySet<string> checks,
        GlobSet names,
        LabelSelector? objectSelector,
        IReadOnlySet<string> kinds,
        GlobSet containers,
        GlobSet images,
        DateTimeOffset expiresAt)
    {
        Reference = reference;
        Policy = policy;
        Checks = checks ?? throw new ArgumentNullException(nameof(checks));
        Names = names ?? throw new ArgumentNullException(nameof(names));
        ObjectSelector = objectSelector;
        Kinds = kinds ?? throw new ArgumentNullException(nameof(kinds));
        Containers = containers ?? throw new ArgumentNullException(nameof(containers));
        Images = images ?? throw new ArgumentNullException(nameof(images));
        ExpiresAt = expiresAt;
    }

    /// <summary>The exception itself, such as <c>PolicyException "billing/legacy-root"</c>; its namespace is where it applies.</summary>
    public PolicyReference Reference { get; }

    /// <summary>The policy whose checks it waives.</summary>
    public PolicyReference Policy { get; }

    public IReadOnlySet<string> Checks { get; }

    public GlobSet Names { get; }

    public LabelSelector? ObjectSelector { get; }

    public IReadOnlySet<string> Kinds { get; }

    /// <summary>Container names it is limited to; empty means every container (and pod-level fields).</summary>
    public GlobSet Containers { get; }

    /// <summary>Images it is limited to; empty means any image (and pod-level fields).</summary>
    public GlobSet Images { get; }

    public DateTimeOffset ExpiresAt { get; }

    public bool IsExpired(DateTimeOffset now) => now >= ExpiresAt;

    /// <summary>True when this exception selects the object, whatever the violation.</summary>
    public bool Selects(WorkloadTarget target, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(target);
        return !IsExpired(now)
            && string.Equals(Reference.Namespace, target.Namespace, StringComparison.Ordinal)
            && (Kinds.Count == 0 || Kinds.Contains(target.Kind))
            && (Names.IsEmpty || Names.Matches(target.Name))
            && (ObjectSelector is null || ObjectSelector.Matches(target.Labels));
    }

    /// <summary>True when this exception waives <paramref name="violation"/> on an object it selects.</summary>
    public bool Waives(Violation violation, WorkloadTarget target)
    {
        ArgumentNullException.ThrowIfNull(violation);
        ArgumentNullException.ThrowIfNull(target);
        if (violation.Policy != Policy || !Checks.Contains(violation.Check))
        {
            return false;
        }

        if (Containers.IsEmpty && Images.IsEmpty)
        {
            return true;
        }

        // A finding said once for every container is theirs when the exception covers every container of the pod.
        if (violation.ForEveryContainer)
        {
            return AllContainers(target).All(c => (Containers.IsEmpty || Containers.Matches(c.Name ?? string.Empty))
                && (Images.IsEmpty || (c.Image is not null && Images.Matches(c.Image))));
        }

        // Limited to some containers: a pod-level violation (hostNetwork, a volume) is not theirs to waive.
        var (name, image) = ContainerAt(target, violation.Path);
        return name is not null
            && (Containers.IsEmpty || Containers.Matches(name))
            && (Images.IsEmpty || (image is not null && Images.Matches(image)));
    }

    /// <summary>The name and image of the container a field path points into, or nulls for a pod-level path.</summary>
    internal static (string? Name, string? Image) ContainerAt(WorkloadTarget target, string path)
    {
        if (!path.StartsWith(target.SpecPath + ".", StringComparison.Ordinal))
        {
            return (null, null);
        }

        var match = ContainerIndex().Match(path, target.SpecPath.Length + 1);
        if (!match.Success || !int.TryParse(match.Groups["index"].ValueSpan, out var index))
        {
            return (null, null);
        }

        var spec = target.Spec;
        return match.Groups["list"].Value switch
        {
            "containers" when spec.Containers is { } c && index < c.Count && c[index] is { } x => (x.Name, x.Image),
            "initContainers" when spec.InitContainers is { } c && index < c.Count && c[index] is { } x => (x.Name, x.Image),
            "ephemeralContainers" when spec.EphemeralContainers is { } c && index < c.Count && c[index] is { } x => (x.Name, x.Image),
            _ => (null, null),
        };
    }

    private static IEnumerable<(string? Name, string? Image)> AllContainers(WorkloadTarget target) =>
        (target.Spec.Containers ?? []).Concat(target.Spec.InitContainers ?? []).Where(c => c is not null).Select(c => ((string?)c.Name, (string?)c.Image))
            .Concat((target.Spec.EphemeralContainers ?? []).Where(c => c is not null).Select(c => ((string?)c.Name, (string?)c.Image)));

    [GeneratedRegex(@"\G(?<list>containers|initContainers|ephemeralContainers)\[(?<index>[0-9]+)\]")]
    private static partial Regex ContainerIndex();
}
