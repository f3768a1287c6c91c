using k8s.Models;
using PolicyWebhook.Engine.Evaluation;

namespace PolicyWebhook.Engine.Checks;

/*
 * Only volume types that cannot reach the node or outside storage directly are allowed.
 *
 * Restricted field: spec.volumes[*]
 * Allowed types: configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected, secret
 * Forbidden: hostPath and every other inline volume source (nfs, iscsi, gitRepo, rbd, ...).
 * A volume that names no source at all is allowed: the API server defaults it to emptyDir.
 * Overrides hostPathVolumes, which this check makes stricter.
 */
public sealed class RestrictedVolumesCheck : PssCheck
{
    private const string AllowedTypes = "configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected, secret";

    public override string Id => "restrictedVolumes";

    public override CheckLevel Level => CheckLevel.Restricted;

    public override string Title => "restricted volume types";

    public override IReadOnlyList<CheckVersion> Versions { get; } = [Since(0, V1Dot0, "hostPathVolumes")];

    private static void V1Dot0(PodView pod, Findings findings)
    {
        if (pod.Spec.Volumes is not { } volumes)
        {
            return;
        }

        for (var i = 0; i < volumes.Count; i++)
        {
            var volume = volumes[i];
            if (IsAllowed(volume) || TypeOf(volume) is not { } type)
            {
                continue;
            }

            findings.Add(
                pod.PathOf($"volumes[{i}].{type}"),
                $"volume {Text.Quote(volume.Name)} must not use volume type {type}",
                type,
                "one of " + AllowedTypes);
        }
    }

    private static bool IsAllowed(V1Volume v) =>
        v.ConfigMap is not null || v.Csi is not null || v.DownwardAPI is not null || v.EmptyDir is not null
        || v.Ephemeral is not null || v.Image is not null || v.PersistentVolumeClaim is not null
        || v.Projected is not null || v.Secret is not null;

    private static string? TypeOf(V1Volume v) => v switch
    {
        { HostPath: not null } => "hostPath",
        { GcePersistentDisk: not null } => "gcePersistentDisk",
        { AwsElasticBlockStore: not null } => "awsElasticBlockStore",
        { GitRepo: not null } => "gitRepo",
        { Nfs: not null } => "nfs",
        { Iscsi: not null } => "iscsi",
        { Glusterfs: not null } => "glusterfs",
        { Rbd: not null } => "rbd",
        { FlexVolume: not null } => "flexVolume",
        { Cinder: not null } => "cinder",
        { Cephfs: not null } => "cephfs",
        { Flocker: not null } => "flocker",
        { Fc: not null } => "fc",
        { AzureFile: not null } => "azureFile",
        { VsphereVolume: not null } => "vsphereVolume",
        { Quobyte: not null } => "quobyte",
        { AzureDisk: not null } => "azureDisk",
        { PhotonPersistentDisk: not null } => "photonPersistentDisk",
        { PortworxVolume: not null } => "portworxVolume",
        { ScaleIO: not null } => "scaleIO",
        { Storageos: not null } => "storageos",
        _ => null,
    };
}
