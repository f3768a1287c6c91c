using PolicyWebhook.Engine.Evaluation;

namespace PolicyWebhook.Engine.Checks;

/// <summary>A host path prefix a pod may mount, and whether every mount of such a volume must be read-only.</summary>
public sealed record AllowedHostPath(string PathPrefix, bool ReadOnly);

/// <summary>A site's parameter for hostPathVolumes: the allowed prefixes (PSP allowedHostPaths). Empty allows none.</summary>
public sealed record HostPathVolumesOptions(IReadOnlyList<AllowedHostPath> Allowed);

/*
 * A hostPath volume mounts a directory of the node into the pod.
 *
 * Restricted field: spec.volumes[*].hostPath
 * Allowed values: undefined
 * With parameters (HostPathVolumesOptions): also a path under an allowed prefix, after normalising both ("." and
 * ".." resolved, repeated and trailing "/" removed), matched by whole segments ("/var/log" allows "/var/log/app",
 * not "/var/logs"). When every prefix that matches is read-only, each volumeMount of the volume, in every
 * container, must set readOnly: true.
 */
public sealed class HostPathVolumesCheck : PssCheck
{
    public override string Id => "hostPathVolumes";

    public override CheckLevel Level => CheckLevel.Baseline;

    public override string Title => "hostPath volumes";

    public override IReadOnlyList<CheckVersion> Versions { get; } = [Since(0, V1Dot0)];

    private static void V1Dot0(PodView pod, Findings findings)
    {
        if (pod.Spec.Volumes is not { } volumes)
        {
            return;
        }

        for (var i = 0; i < volumes.Count; i++)
        {
            if (volumes[i].HostPath is { } hostPath)
            {
                findings.Add(
                    pod.PathOf($"volumes[{i}].hostPath"),
                    $"volume {Text.Quote(volumes[i].Name)} must not use hostPath",
                    $"hostPath {hostPath.Path}",
                    "no hostPath volume");
            }
        }
    }

    /// <summary>The check with a site's allowed prefixes in place of the standard's "no hostPath".</summary>
    public static PodCheck With(HostPathVolumesOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var allowed = options.Allowed.Select(a => a with { PathPrefix = Normalize(a.PathPrefix) }).ToList();
        var required = allowed.Count == 0
            ? "no hostPath volume"
            : "a path under " + string.Join(", ", allowed.Select(a => Text.Quote(a.PathPrefix) + (a.ReadOnly ? " (read-only)" : string.Empty)));
        return (pod, findings) =>
        {
            if (pod.Spec.Volumes is not { } volumes)
            {
                return;
            }

            for (var i = 0; i < volumes.Count; i++)
            {
                if (volumes[i]?.HostPath is not { } hostPath)
                {
                    continue;
                }

                var path = hostPath.Path ?? string.Empty;
                var normalized = Normalize(path);
                var matches = allowed.Where(a => Under(normalized, a.PathPrefix)).ToList();
                if (matches.Count == 0)
                {
                    var shown = normalized == path || normalized.Length == 0 ? Text.Quote(path) : $"{Text.Quote(path)} (that is {Text.Quote(normalized)})";
                    var message = allowed.Count == 0
                        ? $"volume {Text.Quote(volumes[i].Name)} must not use hostPath"
                        : $"volume {Text.Quote(volumes[i].Name)} hostPath {shown} is outside the allowed prefixes {Text.QuoteAll(allowed.Select(a => a.PathPrefix))}";
                    findings.Add(pod.PathOf($"volumes[{i}].hostPath.path"), message, path, required);
                }
                else if (matches.All(a => a.ReadOnly))
                {
                    RequireReadOnlyMounts(pod, findings, volumes[i].Name, matches[0].PathPrefix);
                }
            }
        };
    }

    /// <summary>An absolute path with "." and ".." resolved and no repeated or trailing "/"; "" for a relative path.</summary>
    public static string Normalize(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!path.StartsWith('/'))
        {
            return string.Empty;
        }

        var segments = new List<string>();
        foreach (var segment in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (segment == "..")
            {
                if (segments.Count > 0)
                {
                    segments.RemoveAt(segments.Count - 1);
                }
            }
            else if (segment != ".")
            {
                segments.Add(segment);
            }
        }

        return "/" + string.Join('/', segments);
    }

    private static bool Under(string path, string prefix) =>
        path.Length > 0 && prefix.Length > 0
        && (prefix == "/" || path == prefix || path.StartsWith(prefix + "/", StringComparison.Ordinal));

    private static void RequireReadOnlyMounts(PodView pod, Findings findings, string volume, string prefix)
    {
        foreach (var container in pod.Containers)
        {
            if (container.VolumeMounts is not { } mounts)
            {
                continue;
            }

            for (var m = 0; m < mounts.Count; m++)
            {
                if (mounts[m] is { } mount && mount.Name == volume && mount.ReadOnlyProperty != true)
                {
                    findings.Add(
                        container.PathOf($"volumeMounts[{m}].readOnly"),
                        $"{container.Subject} must mount hostPath volume {Text.Quote(volume)} with readOnly=true ({Text.Quote(prefix)} is allowed read-only)",
                        Text.OrUnset(mount.ReadOnlyProperty),
                        "true");
                }
            }
        }
    }
}
