using System.CommandLine;
using k8s;
using PolicyWebhook.Cli.Output;

namespace PolicyWebhook.Cli.Commands;

/// <summary><c>scan</c>: which running workloads break the cluster's policies today.</summary>
internal static class ScanCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var kubeconfig = ClusterConnection.KubeconfigOption();
        var context = new Option<string?>("--context") { Description = "The kubeconfig context to use. Default: the current one." };
        var ns = new Option<string?>("--namespace", "-n") { Description = "Scan only this namespace. Default: every namespace." };
        var format = new Option<string>("--format", "-o") { Description = "Output format: text or json (the shape of check's).", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var command = new Command("scan", "List the Pods and pod controllers of a cluster and report what breaks its policies today.")
        {
            kubeconfig, context, ns, format,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            ScanRun run;
            try
            {
                using var client = new Kubernetes(ClusterConnection.Configuration(parsed.GetValue(kubeconfig), parsed.GetValue(context)));
                run = await ClusterScanner.RunAsync(client, parsed.GetValue(ns), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is k8s.Exceptions.KubeConfigException or k8s.Autorest.HttpOperationException or HttpRequestException or IOException)
            {
                error.WriteLine($"error: cannot scan the cluster: {e.Message}");
                return CliApp.BadInput;
            }

            if (parsed.GetValue(format) == "json")
            {
                JsonReport.Write(new CheckRun(run.Results, run.Errors, 0), output);
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
