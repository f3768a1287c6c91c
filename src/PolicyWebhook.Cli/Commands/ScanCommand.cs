using System.CommandLine;
using k8s;
using PolicyWebhook.Cli.Output;

namespace PolicyWebhook.Cli.Commands;

/// <summary><c>scan</c>: which running workloads break the cluster's policies today.</summary>
internal static class ScanCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var kubeconfig = KubeconfigOption.Create();
        var context = new Option<string?>("--context") { Description = "The kubeconfig context to use. Default: the current one." };
        var ns = new Option<string?>("--namespace", "-n") { Description = "Scan only this namespace. Default: every namespace." };
        var format = new Option<string>("--format", "-o") { Description = "Output format: text or json (the shape of check's).", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var exclude = new Option<string[]>("--exclude-namespace")
        {
            Description = "A namespace the webhook exempts, left out of the scan; repeat for more. Default: kube-system, as the webhook's default. The chart's scan passes the webhook's own list.",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("scan", "List the Pods and pod controllers of a cluster and report what breaks its policies today.")
        {
            kubeconfig, context, ns, format, exclude,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            ScanRun run;
            try
            {
                using var client = new Kubernetes(PolicyWebhook.Cluster.ClusterConnection.Configuration(parsed.GetValue(kubeconfig), parsed.GetValue(context)));
                var excluded = parsed.GetValue(exclude) is { Length: > 0 } given ? given : null;
                var exempt = PolicyWebhook.Cluster.NamespaceExemptions.Effective(excluded, ownNamespace: null);
                run = await ClusterScanner.RunAsync(client, parsed.GetValue(ns), exempt, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is PolicyWebhook.Cluster.ClusterConnectionException or k8s.Exceptions.KubeConfigException or k8s.Autorest.HttpOperationException or HttpRequestException or IOException)
            {
                error.WriteLine($"error: cannot scan the cluster: {e.Message}");
                return CliApp.BadInput;
            }

            if (parsed.GetValue(format) == "json")
            {
                JsonReport.Write(new CheckRun(run.Results, run.Errors, 0), output, run.Unisolated);
            }
            else
            {
                ScanReport.Write(run, output);
            }

            foreach (var problem in run.Errors)
            {
                error.WriteLine("warning: " + problem);
            }

            return run.Results.Exists(r => !r.Result.Allowed) ? CliApp.Denied : CliApp.Allowed;
        });
        return command;
    }
}
