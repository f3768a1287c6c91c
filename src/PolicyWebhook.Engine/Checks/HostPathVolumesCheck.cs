using PolicyWebhook.Engine.Evaluation;

namespace PolicyWebhook.Engine.Checks;

/*
 * A hostPath volume mounts a directory of the node into the pod.
 *
 * Restricted field: spec.volumes[*].hostPath
 * Allowed values: undefined
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
}
