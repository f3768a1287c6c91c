using System.CommandLine;

namespace PolicyWebhook.Cli.Commands;

/// <summary>The <c>--kubeconfig</c> option of the commands that talk to a cluster (scan, uninstall-webhooks).</summary>
internal static class KubeconfigOption
{
    public static Option<string?> Create() => new("--kubeconfig")
    {
        Description = "The kubeconfig file. Default: the pod's service account when in a cluster, then $KUBECONFIG (a list of files, as kubectl reads it), then ~/.kube/config.",
    };
}
