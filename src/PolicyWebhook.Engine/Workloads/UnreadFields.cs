using k8s.Models;

namespace PolicyWebhook.Engine.Workloads;

/// <summary>
/// The fields of a workload that no check, no mutation, no message and no report reads, which the decoder passes
/// over instead of building them into model objects: a pod's scheduling (affinity, tolerations), the workload
/// controllers' own settings, a container's termination and pull settings, a probe's timings. Skipping them saves
/// about a sixth of the decoding of a typical pod, and more of one with affinity rules. A test holds this list to
/// the code: it fails when any assembly of the webhook or the command line reads one of these properties, so a new
/// check that needs one takes it off the list.
/// </summary>
/// <remarks>
/// A skipped field is not read, so a value of the wrong form there (<c>tolerations: 5</c>) no longer makes the object
/// "not fit its kind": it is judged on what the checks read. The API server refuses such an object before it calls
/// any webhook, so the webhook never meets one. Container ports and <c>creationTimestamp</c>, the values people
/// most often write in the wrong form by hand, are still read, and still reported.
/// </remarks>
public static class UnreadFields
{
    private static readonly string[] ContainerFields =
        ["terminationMessagePath", "terminationMessagePolicy", "imagePullPolicy", "envFrom", "workingDir", "stdin", "stdinOnce", "tty", "resizePolicy"];

    /// <summary>Per model type, the JSON names of the properties the decoder skips.</summary>
    public static IReadOnlyDictionary<Type, IReadOnlyList<string>> ByType { get; } = new Dictionary<Type, IReadOnlyList<string>>
    {
        [typeof(V1ObjectMeta)] = ["managedFields", "deletionTimestamp", "deletionGracePeriodSeconds", "finalizers", "selfLink"],
        [typeof(V1Pod)] = ["status"],
        [typeof(V1PodSpec)] =
        [
            "affinity", "tolerations", "topologySpreadConstraints", "nodeSelector", "nodeName", "schedulerName", "priority",
            "priorityClassName", "preemptionPolicy", "dnsPolicy", "dnsConfig", "hostAliases", "hostname", "subdomain",
            "setHostnameAsFQDN", "enableServiceLinks", "terminationGracePeriodSeconds", "activeDeadlineSeconds",
            "readinessGates", "schedulingGates", "resourceClaims", "imagePullSecrets", "overhead",
        ],
        [typeof(V1Container)] = ContainerFields,
        [typeof(V1EphemeralContainer)] = [.. ContainerFields, "targetContainerName"],
        [typeof(V1Probe)] =
            ["initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold", "terminationGracePeriodSeconds", "exec", "grpc"],
        [typeof(V1EnvVar)] = ["valueFrom"],
        [typeof(V1VolumeMount)] = ["mountPath", "subPath", "subPathExpr", "mountPropagation", "recursiveReadOnly"],
        [typeof(V1Deployment)] = ["status"],
        [typeof(V1DeploymentSpec)] = ["replicas", "selector", "strategy", "minReadySeconds", "revisionHistoryLimit", "progressDeadlineSeconds", "paused"],
        [typeof(V1ReplicaSet)] = ["status"],
        [typeof(V1ReplicaSetSpec)] = ["replicas", "selector", "minReadySeconds"],
        [typeof(V1StatefulSet)] = ["status"],
        [typeof(V1StatefulSetSpec)] =
        [
            "replicas", "selector", "serviceName", "volumeClaimTemplates", "podManagementPolicy", "updateStrategy",
            "revisionHistoryLimit", "minReadySeconds", "persistentVolumeClaimRetentionPolicy", "ordinals",
        ],
        [typeof(V1DaemonSet)] = ["status"],
        [typeof(V1DaemonSetSpec)] = ["selector", "updateStrategy", "minReadySeconds", "revisionHistoryLimit"],
        [typeof(V1Job)] = ["status"],
        [typeof(V1JobSpec)] =
        [
            "parallelism", "completions", "activeDeadlineSeconds", "backoffLimit", "backoffLimitPerIndex", "maxFailedIndexes",
            "selector", "manualSelector", "ttlSecondsAfterFinished", "completionMode", "suspend", "podFailurePolicy",
            "podReplacementPolicy", "successPolicy", "managedBy",
        ],
        [typeof(V1CronJob)] = ["status"],
        [typeof(V1CronJobSpec)] =
            ["schedule", "timeZone", "startingDeadlineSeconds", "concurrencyPolicy", "suspend", "successfulJobsHistoryLimit", "failedJobsHistoryLimit"],
        [typeof(V1ReplicationController)] = ["status"],
        [typeof(V1ReplicationControllerSpec)] = ["replicas", "selector", "minReadySeconds"],
    };
}
