using System.CommandLine;
using k8s;

namespace PolicyWebhook.Cli.Commands;

/// <summary>How the commands that talk to a cluster (scan, uninstall-webhooks) find it.</summary>
internal static class ClusterConnection
{
    public static Option<string?> KubeconfigOption() => new("--kubeconfig")
    {
        Description = "The kubeconfig file. Default: the in-cluster service account, then $KUBECONFIG, then ~/.kube/config.",
    };

    /// <summary>The pod's own service account when running in a cluster and neither a file nor a context is named; the kubeconfig otherwise.</summary>
    public static KubernetesClientConfiguration Configuration(string? kubeconfig, string? context = null) =>
        kubeconfig is null && context is null && KubernetesClientConfiguration.IsInCluster()
            ? KubernetesClientConfiguration.InClusterConfig()
            : KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig, context);
}
