using System.CommandLine;
using System.Net;
using k8s;
using k8s.Autorest;

namespace PolicyWebhook.Cli.Commands;

/// <summary>
/// <c>uninstall-webhooks</c>: deletes the webhook configurations of a release before the webhook itself goes, so an
/// uninstall never leaves a cluster where no pod can be created. Run by the chart's pre-delete hook.
/// </summary>
internal static class UninstallWebhooksCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var selector = new Option<string>("--selector", "-l")
        {
            Description = "The label selector of the release's webhook configurations, such as app.kubernetes.io/instance=policy-webhook.",
            Required = true,
        };
        var kubeconfig = KubeconfigOption.Create();
        var command = new Command("uninstall-webhooks", "Delete the release's validating and mutating webhook configurations (the chart's pre-delete hook).")
        {
            selector, kubeconfig,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var labels = parsed.GetValue(selector)!;
            try
            {
                using var client = new Kubernetes(PolicyWebhook.Cluster.ClusterConnection.Configuration(parsed.GetValue(kubeconfig)));
                var deleted = 0;
                var validating = await client.AdmissionregistrationV1.ListValidatingWebhookConfigurationAsync(labelSelector: labels, cancellationToken: cancellationToken).ConfigureAwait(false);
                foreach (var item in validating.Items)
                {
                    deleted += await DeleteAsync(() => client.AdmissionregistrationV1.DeleteValidatingWebhookConfigurationAsync(item.Metadata.Name, cancellationToken: cancellationToken), "ValidatingWebhookConfiguration", item.Metadata.Name, output).ConfigureAwait(false);
                }

                var mutating = await client.AdmissionregistrationV1.ListMutatingWebhookConfigurationAsync(labelSelector: labels, cancellationToken: cancellationToken).ConfigureAwait(false);
                foreach (var item in mutating.Items)
                {
                    deleted += await DeleteAsync(() => client.AdmissionregistrationV1.DeleteMutatingWebhookConfigurationAsync(item.Metadata.Name, cancellationToken: cancellationToken), "MutatingWebhookConfiguration", item.Metadata.Name, output).ConfigureAwait(false);
                }

                output.WriteLine(deleted == 0 ? $"no webhook configuration matches {labels}; nothing to do" : $"deleted {deleted} webhook configurations");
                return CliApp.Allowed;
            }
            catch (Exception e) when (e is PolicyWebhook.Cluster.ClusterConnectionException or k8s.Exceptions.KubeConfigException or HttpOperationException or HttpRequestException or IOException)
            {
                error.WriteLine($"error: cannot delete the webhook configurations: {e.Message}");
                return CliApp.BadInput;
            }
        });
        return command;
    }

    private static async Task<int> DeleteAsync(Func<Task> delete, string kind, string name, TextWriter output)
    {
        try
        {
            await delete().ConfigureAwait(false);
            output.WriteLine($"deleted {kind} {name}");
            return 1;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return 0; // Gone already: another replica of the hook, or a second run.
        }
    }
}
