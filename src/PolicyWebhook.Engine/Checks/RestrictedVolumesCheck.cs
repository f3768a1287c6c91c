using k8s.Models;
using PolicyWebhook.Engine.Evaluation;

namespace PolicyWebhook.Engine.Checks;

/// <summary>
/// A site's parameters for restrictedVolumes (PSP volumes and allowedFlexVolumes): the volume types allowed, <c>*</c>
/// for all (null keeps the standard's list), and the flexVolume drivers allowed (null allows any).
/// </summary>
public sealed record VolumesOptions(IReadOnlyList<string>? AllowedTypes, IReadOnlyList<string>? AllowedFlexVolumeDrivers);

/*
 * Only volume types that cannot reach the node or outside storage directly are allowed.
 *
 * Restricted field: spec.volumes[*]
 * Allowed types: configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected, secret
 * Forbidden: hostPath and every other inline volume source (nfs, iscsi, gitRepo, rbd, ...).
 * A volume that names no source at all is allowed: the API server defaults it to emptyDir.
 * Overrides hostPathVolumes, which this check makes stricter.
 * With parameters (VolumesOptions): the types in AllowedTypes (named as in the pod spec, such as nfs or hostPath;
 * * for all), and for flexVolume a driver in AllowedFlexVolumeDrivers.
 */
public sealed class RestrictedVolumesCheck : PssCheck
{
    private const string AllowedTypes = "configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected, secret";

    /// <summary>Every volume type, named as in the pod spec: what a site's AllowedTypes may list, beside <c>*</c>.</summary>
    public static IReadOnlyList<string> TypeNames { get; } =
    [
        "awsElasticBlockStore", "azureDisk", "azureFile", "cephfs", "cinder", "configMap", "csi", "downwardAPI", "emptyDir",
        "ephemeral", "fc", "flexVolume", "flocker", "gcePersistentDisk", "gitRepo", "glusterfs", "hostPath", "image", "iscsi",
        "nfs", "persistentVolumeClaim", "photonPersistentDisk", "portworxVolume", "projected", "quobyte", "rbd", "scaleIO",
        "secret", "storageos", "vsphereVolume",
    ];

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

    /// <summary>The check with a site's volume types and flexVolume drivers.</summary>
    public static PodCheck With(VolumesOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var types = options.AllowedTypes is { } given ? given.ToHashSet(StringComparer.Ordinal) : [.. AllowedTypes.Split(", ")];
        var any = types.Contains("*");
        var typesText = string.Join(", ", types.Order(StringComparer.Ordinal));
        return (pod, findings) =>
        {
            if (pod.Spec.Volumes is not { } volumes)
            {
                return;
            }

            for (var i = 0; i < volumes.Count; i++)
            {
                if (volumes[i] is not { } volume || AnyTypeOf(volume) is not { } type)
                {
                    continue;
                }

                if (!any && !types.Contains(type))
                {
                    findings.Add(
                        pod.PathOf($"volumes[{i}].{type}"),
                        $"volume {Text.Quote(volume.Name)} must not use volume type {type} (allowed: {typesText})",
                        type,
                        "one of " + typesText);
                }
                else if (volume.FlexVolume is { } flex && options.AllowedFlexVolumeDrivers is { } drivers && !drivers.Contains(flex.Driver, StringComparer.Ordinal))
                {
                    findings.Add(
                        pod.PathOf($"volumes[{i}].flexVolume.driver"),
                        $"volume {Text.Quote(volume.Name)} must not use flexVolume driver {Text.Quote(flex.Driver)} (allowed: {Text.QuoteAll(drivers)})",
                        flex.Driver ?? "unset",
                        "one of " + Text.QuoteAll(drivers));
                }
            }
        };
    }

    // Every type, allowed ones included; a volume naming no source is an emptyDir once the API server defaults it.
    private static string? AnyTypeOf(V1Volume v) => v switch
    {
        { ConfigMap: not null } => "configMap",
        { Csi: not null } => "csi",
        { DownwardAPI: not null } => "downwardAPI",
        { EmptyDir: not null } => "emptyDir",
        { Ephemeral: not null } => "ephemeral",
        { Image: not null } => "image",
        { PersistentVolumeClaim: not null } => "persistentVolumeClaim",
        { Projected: not null } => "projected",
        { Secret: not null } => "secret",
        _ => TypeOf(v),
    };

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
