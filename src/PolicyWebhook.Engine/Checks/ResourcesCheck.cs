using k8s.Models;
using PolicyWebhook.Engine.Evaluation;

namespace PolicyWebhook.Engine.Checks;

/// <summary>Which resource requests and limits every container must set, and the most each may ask for.</summary>
/// <param name="Require">Entries such as <c>requests.cpu</c>, <c>requests.memory</c>, <c>limits.memory</c>.</param>
/// <param name="Maximums">Upper bounds keyed the same way, such as <c>limits.cpu</c> = <c>2</c>.</param>
public sealed record ResourcesOptions(IReadOnlyList<string> Require, IReadOnlyDictionary<string, ResourceQuantity> Maximums)
{
    public static ResourcesOptions Default { get; } = new(["requests.cpu", "requests.memory", "limits.memory"], new Dictionary<string, ResourceQuantity>());

    // Split once here, so evaluating a container allocates nothing.
    internal ResourceEntry[] RequiredEntries { get; } = [.. Require.Select(e => ResourceEntry.Parse(e, null))];

    internal ResourceEntry[] MaximumEntries { get; } = [.. Maximums.Select(kv => ResourceEntry.Parse(kv.Key, kv.Value))];
}

/// <summary>One <c>requests.NAME</c> or <c>limits.NAME</c> entry, split, with its maximum if it has one.</summary>
internal sealed record ResourceEntry(string Entry, bool IsLimit, string Name, ResourceQuantity? Maximum, decimal MaximumValue)
{
    public static ResourceEntry Parse(string entry, ResourceQuantity? maximum)
    {
        var dot = entry.IndexOf('.', StringComparison.Ordinal);
        return new ResourceEntry(entry, entry.StartsWith("limits.", StringComparison.Ordinal), entry[(dot + 1)..], maximum, maximum?.ToDecimal() ?? 0);
    }
}

/*
 * Denial of service: a container without requests and limits can starve its neighbours on the node.
 *
 * Restricted fields, for containers and init containers (sidecars included; ephemeral containers cannot set them):
 *   resources.requests.<resource>, resources.limits.<resource>
 * Required: every entry of Require set; every entry of Maximums at most its value.
 * A container missing entries gets one finding listing them all (resources.limits.memory, requests.cpu), at the
 * first one's path: one line per entry was most of what real manifests were told.
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
            List<string>? missing = null;
            foreach (var entry in options.RequiredEntries)
            {
                if (Lookup(resources, entry) is null)
                {
                    (missing ??= []).Add(entry.Entry);
                }
            }

            if (missing is not null)
            {
                findings.Add(
                    container.PathOf("resources." + missing[0]),
                    $"{container.Subject} must set resources.{string.Join(", ", missing)}",
                    "unset: " + string.Join(", ", missing),
                    "set");
            }

            foreach (var entry in options.MaximumEntries)
            {
                if (Lookup(resources, entry) is not { } value)
                {
                    continue;
                }

                if (!Quantities.TryToDecimal(value, out var amount))
                {
                    findings.Add(
                        container.PathOf("resources." + entry.Entry),
                        $"{container.Subject} must set resources.{entry.Entry} to a valid quantity",
                        "not a quantity",
                        $"a quantity of at most {entry.Maximum}");
                }
                else if (amount > entry.MaximumValue)
                {
                    findings.Add(
                        container.PathOf("resources." + entry.Entry),
                        $"{container.Subject} must not set resources.{entry.Entry} above {entry.Maximum}",
                        value.ToString(),
                        $"at most {entry.Maximum}");
                }
            }
        }
    }

    private static ResourceQuantity? Lookup(V1ResourceRequirements? resources, ResourceEntry entry)
    {
        var map = entry.IsLimit ? resources?.Limits : resources?.Requests;
        return map is not null && map.TryGetValue(entry.Name, out var quantity) ? quantity : null;
    }
}
