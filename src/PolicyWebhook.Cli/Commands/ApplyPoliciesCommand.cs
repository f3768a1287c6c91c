using System.CommandLine;
using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;
using PolicyWebhook.Cluster;
using PolicyWebhook.Policies;
using PolicyWebhook.Policies.Resources;

namespace PolicyWebhook.Cli.Commands;

/// <summary>
/// <c>apply-policies</c>: server-side applies the policies and exceptions of files, through the API server and so
/// through the webhook's own policy check, waiting while no replica can answer it yet; and deletes policies named
/// for removal. The chart's default policies are installed this way, with no way around the check.
/// </summary>
internal static class ApplyPoliciesCommand
{
    /// <summary>The field manager of the applied objects, as <c>kubectl apply --server-side</c> would name it.</summary>
    public const string FieldManager = "policywebhook";

    public static Command Create(TextWriter output, TextWriter error)
    {
        var files = new Option<string[]>("--file", "-f") { Description = "A file or folder of ClusterPolicy, Policy and PolicyException YAML to apply; repeat for more." };
        var delete = new Option<string[]>("--delete")
        {
            Description = "A policy to delete, as clusterpolicy/NAME, policy/NAMESPACE/NAME or policyexception/NAMESPACE/NAME; repeat for more. One already gone is fine.",
        };
        var timeout = new Option<TimeSpan>("--timeout")
        {
            Description = "How long to keep trying while the webhook cannot be called yet (a first install), as hh:mm:ss.",
            DefaultValueFactory = _ => TimeSpan.FromMinutes(5),
        };
        var kubeconfig = KubeconfigOption.Create();
        var command = new Command("apply-policies", "Apply policy files through the API server (and so through the webhook's policy check), waiting until it can answer; delete policies named.")
        {
            files, delete, timeout, kubeconfig,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var paths = parsed.GetValue(files) ?? [];
            var removals = new List<(string Plural, string? Namespace, string Name)>();
            foreach (var spec in parsed.GetValue(delete) ?? [])
            {
                if (ParseRemoval(spec) is not { } removal)
                {
                    error.WriteLine($"error: --delete {spec}: use clusterpolicy/NAME, policy/NAMESPACE/NAME or policyexception/NAMESPACE/NAME");
                    return CliApp.BadInput;
                }

                removals.Add(removal);
            }

            if (paths.Length == 0 && removals.Count == 0)
            {
                error.WriteLine("error: nothing to do: give --file, --delete or both");
                return CliApp.BadInput;
            }

            PolicySet set;
            try
            {
                set = PolicyLoader.LoadAll(paths);
            }
            catch (PolicyLoadException e)
            {
                // Refused here already: the API server would refuse it the same way.
                error.WriteLine("error: " + e.Message);
                return CliApp.Denied;
            }

            try
            {
                using var client = new Kubernetes(ClusterConnection.Configuration(parsed.GetValue(kubeconfig)));
                var deadline = DateTimeOffset.UtcNow + parsed.GetValue(timeout);
                foreach (var policy in set.Policies.Select(p => (IKubernetesObject<V1ObjectMeta>)p.Resource).Concat(set.Exceptions.Select(e => e.Resource)))
                {
                    var (plural, ns, name) = Address(policy);
                    var body = new V1Patch(JsonSerializer.Serialize(policy, policy.GetType(), PolicyLoader.JsonOptions), V1Patch.PatchType.ApplyPatch);
                    await WithRetryAsync(
                        () => ns is null
                            ? client.CustomObjects.PatchClusterCustomObjectAsync(body, PolicyApi.Group, PolicyApi.Version, plural, name, fieldManager: FieldManager, force: true, cancellationToken: cancellationToken)
                            : client.CustomObjects.PatchNamespacedCustomObjectAsync(body, PolicyApi.Group, PolicyApi.Version, ns, plural, name, fieldManager: FieldManager, force: true, cancellationToken: cancellationToken),
                        deadline,
                        error,
                        cancellationToken).ConfigureAwait(false);
                    output.WriteLine($"{Singular(plural)}.{PolicyApi.Group}/{name} serverside-applied");
                }

                foreach (var (plural, ns, name) in removals)
                {
                    try
                    {
                        await WithRetryAsync(
                            () => ns is null
                                ? client.CustomObjects.DeleteClusterCustomObjectAsync(PolicyApi.Group, PolicyApi.Version, plural, name, cancellationToken: cancellationToken)
                                : client.CustomObjects.DeleteNamespacedCustomObjectAsync(PolicyApi.Group, PolicyApi.Version, ns, plural, name, cancellationToken: cancellationToken),
                            deadline,
                            error,
                            cancellationToken).ConfigureAwait(false);
                        output.WriteLine($"{Singular(plural)}.{PolicyApi.Group}/{name} deleted");
                    }
                    catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
                    {
                        // Gone already, or never made: what was asked for holds.
                    }
                }

                return CliApp.Allowed;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Forbidden or HttpStatusCode.UnprocessableEntity or HttpStatusCode.Conflict)
            {
                // The webhook (or the CRD's schema) refused it: retrying would not change the answer.
                error.WriteLine($"error: the API server refused it ({(int)e.Response.StatusCode}): {StatusMessage(e)}");
                return CliApp.Denied;
            }
            catch (Exception e) when (e is ClusterConnectionException or HttpOperationException or HttpRequestException or TimeoutException or IOException)
            {
                error.WriteLine($"error: cannot apply the policies: {(e is HttpOperationException h ? StatusMessage(h) : e.Message)}");
                return CliApp.BadInput;
            }
        });
        return command;
    }

    /// <summary>
    /// Tries until the deadline while the failure is one a first install has: the webhook has no ready replica
    /// (the API server answers 500 "failed calling webhook", 503 or 504) or the API server is not reachable.
    /// </summary>
    private static async Task WithRetryAsync(Func<Task> call, DateTimeOffset deadline, TextWriter error, CancellationToken cancellationToken)
    {
        var pause = TimeSpan.FromSeconds(1);
        while (true)
        {
            try
            {
                await call().ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (Transient(e) && DateTimeOffset.UtcNow + pause < deadline)
            {
                error.WriteLine($"waiting: {(e is HttpOperationException h ? StatusMessage(h) : e.Message)}; trying again in {pause.TotalSeconds:0} s");
                await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }

    private static bool Transient(Exception e) => e switch
    {
        HttpOperationException h => h.Response.StatusCode is HttpStatusCode.InternalServerError or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout or HttpStatusCode.TooManyRequests
            // RBAC (not a webhook's refusal, which names the webhook): a binding made by the same install may take a
            // moment to be in force.
            || (h.Response.StatusCode == HttpStatusCode.Forbidden && !(h.Response.Content ?? "").Contains("admission webhook", StringComparison.Ordinal)),
        HttpRequestException or TimeoutException or IOException => true,
        _ => false,
    };

    /// <summary>The message of the Status the API server answered with, or its status code.</summary>
    private static string StatusMessage(HttpOperationException e)
    {
        try
        {
            if (JsonDocument.Parse(e.Response.Content ?? "").RootElement.TryGetProperty("message", out var message) && message.GetString() is { Length: > 0 } text)
            {
                return text;
            }
        }
        catch (JsonException)
        {
        }

        return $"{(int)e.Response.StatusCode} {e.Response.ReasonPhrase}";
    }

    private static (string Plural, string? Namespace, string Name) Address(IKubernetesObject<V1ObjectMeta> obj) => obj switch
    {
        ClusterPolicy c => ("clusterpolicies", null, c.Metadata.Name),
        Policy p => ("policies", p.Metadata.NamespaceProperty ?? "default", p.Metadata.Name),
        _ => ("policyexceptions", obj.Metadata.NamespaceProperty ?? "default", obj.Metadata.Name),
    };

    private static string Singular(string plural) => plural switch
    {
        "clusterpolicies" => "clusterpolicy",
        "policies" => "policy",
        _ => "policyexception",
    };

    private static (string Plural, string? Namespace, string Name)? ParseRemoval(string text)
    {
        var parts = text.Split('/');
        return (parts[0].ToLowerInvariant(), parts.Length) switch
        {
            ("clusterpolicy" or "clusterpolicies", 2) when parts[1].Length > 0 => ("clusterpolicies", null, parts[1]),
            ("policy" or "policies", 3) when parts[1].Length > 0 && parts[2].Length > 0 => ("policies", parts[1], parts[2]),
            ("policyexception" or "policyexceptions", 3) when parts[1].Length > 0 && parts[2].Length > 0 => ("policyexceptions", parts[1], parts[2]),
            _ => null,
        };
    }
}
