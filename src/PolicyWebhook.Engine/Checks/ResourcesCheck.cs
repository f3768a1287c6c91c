using k8s.Models;
using PolicyWebhook.Engine.Evaluation;

namespace PolicyWebhook.Engine.Checks;

/// <summary>Which resource requests and limits every container must set, and the most each may ask for.</summary>
/// <param name="Require">Entries such as <c>requests.cpu</c>, <c>requests.memory</c>, <c>limits.memory</c>.</param>
/// <param name="Maximums">Upper bounds keyed the same way, such as <c>limits.cpu</c> = <c>2</c>.</param>
public sealed record ResourcesOptions(IReadOnlyList<string> Require, IReadOnlyDictionary<string, ResourceQuantity> Maximums)
{
    public static ResourcesOptions Default { get; } = new(["requests.cpu", "requests.memory", "limits.memory"], new Dictionary<string, ResourceQuantity>());
}

/*
 * Denial of service: a container without requests and limits can starve its neighbours on the node.
 *
 * Restricted fields, for containers and init containers (sidecars included; ephemeral containers cannot set them):
 *   resources.requests.<resource>, resources.limits.<resource>
 * Required: every entry of Require set; every entry of Maximums at most its value.
 */
public sealed class ResourcesCheck : LeastPrivilegeCheck<ResourcesOptions>
{
    public override string Id => "resources";

    public override string Title => "missing or excessive resource requests and limits";

    public override void Evaluate(PodView pod, ResourcesOptions options, Findings findings)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(findings);
        foreach (var container in pod.Containers)
        {
            if (container.Kind == ContainerKind.EphemeralContainer)
            {
                continue;
            }

            var resources = container.Resources;
            foreach (var entry in options.Require)
            {
                if (Lookup(resources, entry) is null)
                {
                    findings.Add(
                        container.PathOf("resources." + entry),
                        $"{container.Subject} must set resources.{entry}",
                        "unset",
                        "set");
                }
            }

            foreach (var (entry, maximum) in options.Maximums)
            {
                if (Lookup(resources, entry) is { } value && value.ToDecimal() > maximum.ToDecimal())
                {
                    findings.Add(
                        container.PathOf("resources." + entry),
                        $"{container.Subject} must not set resources.{entry} above {maximum}",
                        value.ToString(),
                        $"at most {maximum}");
                }
            }
        }
    }

    private static ResourceQuantity? Lookup(V1ResourceRequirements? resources, string entry)
    {
        if (resources is null)
        {
            return null;
        }

        var dot = entry.IndexOf('.', StringComparison.Ordinal);
        var map = entry.AsSpan(0, dot).SequenceEqual("limits") ? resources.Limits : resources.Requests;
        return map is not null && map.TryGetValue(entry[(dot + 1)..], out var quantity) ? quantity : null;
    }
}
