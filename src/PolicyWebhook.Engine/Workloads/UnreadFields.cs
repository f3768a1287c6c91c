using k8s.Models;

namespace PolicyWebhook.Engine.Workloads;

/// <summary>
/// The fields of a workload that no check, no mutation, no message and no report reads, which
/// <see cref="WorkloadDecoder.DecodeForChecks"/> (the webhook's decoding) passes over instead of building them into model objects: a pod's scheduling (affinity, tolerations), the workload
/// controllers' own settings, a container's termination and pull settings, a probe's timings. Skipping them saves
/// about a sixth of the decoding of a typical pod, and more of one with affinity rules. A test holds this list to
/// the code: it fails when any assembly of the webhook or the command line reads one of these properties, so a new
/// check that needs one takes it off the list.
/// </summary>
/// <remarks>
/// A skipped field is not read, so a value of the wrong form there (<c>tolerations: 5</c>) does not make the object
/// "not fit its kind": it is judged on what the checks read. The API server decodes and validates an object before
/// it calls a webhook, so the webhook never meets one; the command line, which reads hand-written manifests, decodes
/// every field and still reports it. The guard sees direct calls to the model's getters only: a read through the
/// client library's extension methods (<c>obj.Finalizers()</c>), reflection, or serialising a decoded object again
/// would escape it, and none of the webhook's code does any of these.
/// </remarks>
public static class UnreadFields
{
    private static readonly string[] ContainerFields =
        ["terminationMessagePath", "terminationMessagePolicy", "imagePullPolicy", "envFrom", "workingDir", "stdin", "stdinOnce", "tty", "resizePolicy"];

    /// <summary>
    /// What every decoding skips: <c>metadata.managedFields</c> and the <c>status</c> of a workload, which no check
    /// reads and the API server writes itself.
    /// </summary>
    public static IReadOnlyDictionary<Type, IReadOnlyList<string>> NeverRead { get; } =
        PodSpecLocator.Kinds.Values.Where(kind => kind.GetProperty("Status") is not null)
            .Select(kind => KeyValuePair.Create(kind, (IReadOnlyList<string>)["status"]))
            .Append(KeyValuePair.Create(typeof(V1ObjectMeta), (IReadOnlyList<string>)["managedFields"]))
            .ToDictionary();

    /// <summary>Per model type, the JSON names of the properties <see cref="WorkloadDecoder.DecodeForChecks"/> skips (those of <see cref="NeverRead"/> too).</summary>
    public static IReadOnlyDictionary<Type, IReadOnlyList<string>> ByType { get; } = WithNeverRead(new Dictionary<Type, IReadOnlyList<string>>
    {
        [typeof(V1ObjectMeta)] = ["deletionTimestamp", "deletionGracePeriodSeconds", "finalizers", "selfLink"],
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
        [typeof(V1DeploymentSpec)] = ["replicas", "selector", "strategy", "minReadySeconds", "revisionHistoryLimit", "progressDeadlineSeconds", "paused"],
        [typeof(V1ReplicaSetSpec)] = ["replicas", "selector", "minReadySeconds"],
        [typeof(V1StatefulSetSpec)] =
        [
            "replicas", "selector", "serviceName", "volumeClaimTemplates", "podManagementPolicy", "updateStrategy",
            "revisionHistoryLimit", "minReadySeconds", "persistentVolumeClaimRetentionPolicy", "ordinals",
        ],
        [typeof(V1DaemonSetSpec)] = ["selector", "updateStrategy", "minReadySeconds", "revisionHistoryLimit"],
        [typeof(V1JobSpec)] =
        [
            "parallelism", "completions", "activeDeadlineSeconds", "backoffLimit", "backoffLimitPerIndex", "maxFailedIndexes",
            "selector", "manualSelector", "ttlSecondsAfterFinished", "completionMode", "suspend", "podFailurePolicy",
            "podReplacementPolicy", "successPolicy", "managedBy",
        ],
        [typeof(V1CronJobSpec)] =
            ["schedule", "timeZone", "startingDeadlineSeconds", "concurrencyPolicy", "suspend", "successfulJobsHistoryLimit", "failedJobsHistoryLimit"],
        [typeof(V1ReplicationControllerSpec)] = ["replicas", "selector", "minReadySeconds"],
    });

    private static Dictionary<Type, IReadOnlyList<string>> WithNeverRead(Dictionary<Type, IReadOnlyList<string>> more)
    {
        foreach (var (type, names) in NeverRead)
        {
            more[type] = more.TryGetValue(type, out var other) ? [.. names, .. other] : names;
        }

        return more;
    }
}
