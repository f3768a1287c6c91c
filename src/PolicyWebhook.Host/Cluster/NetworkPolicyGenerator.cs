using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Options;
using PolicyWebhook.Cluster;
using PolicyWebhook.Host.Admission;
using PolicyWebhook.Host.Hosting;
using PolicyWebhook.Host.Policies;
using PolicyWebhook.Policies;

namespace PolicyWebhook.Host.Cluster;

/// <summary>
/// On the replica that holds the status Lease, keeps a default-deny NetworkPolicy in every namespace an Enforce
/// isolation rule with generation matches and nothing isolates: creates it where missing (again if deleted),
/// replaces it when the rule changes, and deletes it when the rule or the namespace stops matching unless the rule
/// keeps it. It only ever touches a NetworkPolicy with its own name and managed-by label. It reads the cluster
/// source's snapshot and passes again on each new one, on an interval, and after a failure with backoff.
/// </summary>
public sealed partial class NetworkPolicyGenerator : BackgroundService
{
    /// <summary>Says which rule a generated policy stands for, so a changed rule is noticed: <c>isolate;egress=True;allowDns=True;keep=False</c>.</summary>
    public const string RuleAnnotation = "policywebhook.io/rule";

    private readonly IPolicySource _source;
    private readonly IServiceProvider _services;
    private readonly NetworkIsolationOptions _options;
    private readonly ILogger<NetworkPolicyGenerator> _logger;
    private readonly ChangeSignal _changed = new();

    public NetworkPolicyGenerator(IPolicySource source, IServiceProvider services, IOptions<NetworkIsolationOptions> options, ILogger<NetworkPolicyGenerator> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _source = source;
        _services = services;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>NetworkPolicies created and deleted, for tests.</summary>
    public int Writes { get; private set; }

    public override void Dispose()
    {
        _changed.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Generate || _source is not ClusterPolicySource cluster)
        {
            return;
        }

        var loops = _services.GetService<BackgroundLoops>() ?? cluster.Loops;
        var time = _services.GetService<TimeProvider>() ?? TimeProvider.System;
        cluster.SnapshotPublished += _changed.Signal;
        try
        {
            var health = loops.Register("network isolation");
            await Supervisor.RunAsync(health, token => LoopAsync(cluster, health, time, token), time, stoppingToken, _options.MaxBackoff).ConfigureAwait(false);
        }
        finally
        {
            cluster.SnapshotPublished -= _changed.Signal;
        }
    }

    private async Task LoopAsync(ClusterPolicySource cluster, LoopHealth health, TimeProvider time, CancellationToken stoppingToken)
    {
        var client = _services.GetRequiredService<IKubernetes>();
        var writer = _services.GetRequiredService<PolicyStatusWriter>();
        var exempt = _services.GetRequiredService<IOptions<AdmissionOptions>>().Value.EffectiveExemptNamespaces();
        var backoff = _options.RetryPeriod;
        while (!stoppingToken.IsCancellationRequested)
        {
            if (writer.Leading && cluster.Current is { KnowsNetworks: true } snapshot)
            {
                try
                {
                    await PassAsync(client, snapshot, exempt, () => writer.Leading, stoppingToken).ConfigureAwait(false);
                    health.Succeeded();
                    backoff = _options.RetryPeriod;
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // The API server's words once, when passes start failing; the loop's health logs the rest.
                    if (health.FailingSince is null)
                    {
                        LogPassFailed(_logger, e.Message);
                    }

                    health.Failed(e, backoff, atCeiling: backoff >= _options.MaxBackoff);
                    await Task.Delay(backoff, time, stoppingToken).ConfigureAwait(false);
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
                    continue;
                }
            }

            // Until the next snapshot (a NetworkPolicy, namespace or policy changed), the interval, or, while not
            // leading, a look at the Lease again.
            if (await _changed.WaitAsync(writer.Leading ? _options.Interval : _options.RetryPeriod, stoppingToken).ConfigureAwait(false))
            {
                await Task.Delay(_options.Debounce, time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>One pass over every namespace; a namespace that fails does not stop the others, and the first failure is raised at the end.</summary>
    private async Task PassAsync(IKubernetes client, PolicySnapshot snapshot, IReadOnlySet<string> exempt, Func<bool> leading, CancellationToken cancellationToken)
    {
        Exception? firstError = null;
        foreach (var ns in snapshot.Namespaces.Order(StringComparer.Ordinal))
        {
            if (!leading())
            {
                return; // Lost the Lease mid-pass: the new leader reconciles.
            }

            try
            {
                await ReconcileAsync(client, snapshot, ns, exempt, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                firstError ??= e;
            }
        }

        if (firstError is not null)
        {
            throw firstError;
        }
    }

    private async Task ReconcileAsync(IKubernetes client, PolicySnapshot snapshot, string ns, IReadOnlySet<string> exempt, CancellationToken cancellationToken)
    {
        var network = snapshot.NetworkOf(ns);
        var ours = network.Generated;
        // Where several rules match, the one asking most (egress) decides; by name among equals.
        var rule = snapshot.IsolationRules
            .Where(r => r.Generates && r.Matches(ns, snapshot.LabelsOf(ns), exempt))
            .OrderByDescending(r => r.Egress).ThenBy(r => r.PolicyName, StringComparer.Ordinal)
            .FirstOrDefault();
        if (rule is null)
        {
            // A policy broken by an edit keeps what it made: a typo must not open every namespace it isolated.
            if (ours is not null && !Keeps(ours) && !snapshot.InvalidClusterPolicies.Contains(ours.Metadata.Labels?[NamespaceNetwork.PolicyLabel] ?? string.Empty))
            {
                await DeleteAsync(client, ours, cancellationToken).ConfigureAwait(false);
                LogDeleted(_logger, ns);
            }

            return;
        }

        if (ours is not null)
        {
            if (RuleOf(ours) == Describe(rule))
            {
                return;
            }

            // Made for another rule or other settings: replaced, as only ours may be.
            await DeleteAsync(client, ours, cancellationToken).ConfigureAwait(false);
        }
        else if (network.Satisfies(rule))
        {
            return; // Someone else's NetworkPolicies isolate it already.
        }

        try
        {
            await client.NetworkingV1.CreateNamespacedNetworkPolicyAsync(Generate(rule, ns), ns, cancellationToken: cancellationToken).ConfigureAwait(false);
            Writes++;
            LogCreated(_logger, ns, rule.PolicyName);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            // Made already; the watch has not told the snapshot yet.
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is System.Net.HttpStatusCode.Forbidden or System.Net.HttpStatusCode.NotFound
            && (e.Response.Content?.Contains("\"NamespaceTerminating\"", StringComparison.Ordinal) == true || e.Response.StatusCode == System.Net.HttpStatusCode.NotFound))
        {
            // The namespace is being deleted (or is gone): nothing to isolate, and not a failure of this loop.
        }
    }

    private async Task DeleteAsync(IKubernetes client, V1NetworkPolicy ours, CancellationToken cancellationToken)
    {
        // The uid as precondition: only the very object seen as ours, never one made since under the same name.
        var options = ours.Metadata.Uid is { } uid ? new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = uid } } : null;
        try
        {
            await client.NetworkingV1.DeleteNamespacedNetworkPolicyAsync(ours.Metadata.Name, ours.Metadata.NamespaceProperty, options, cancellationToken: cancellationToken).ConfigureAwait(false);
            Writes++;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.Conflict)
        {
            // Gone already, or no longer the object seen.
        }
    }

    private static bool Keeps(V1NetworkPolicy ours) => RuleOf(ours)?.EndsWith(";keep=True", StringComparison.Ordinal) == true;

    private static string? RuleOf(V1NetworkPolicy ours) =>
        ours.Metadata.Annotations is { } annotations && annotations.TryGetValue(RuleAnnotation, out var rule) ? rule : null;

    private static string Describe(NamespaceIsolationRule rule) => $"{rule.PolicyName};egress={rule.Egress};allowDns={rule.AllowDns};keep={rule.Keep}";

    /// <summary>The default-deny NetworkPolicy for a rule: every pod, Ingress, and Egress (with DNS to kube-dns when asked).</summary>
    public static V1NetworkPolicy Generate(NamespaceIsolationRule rule, string @namespace)
    {
        ArgumentNullException.ThrowIfNull(rule);
        List<V1NetworkPolicyEgressRule>? egress = null;
        if (rule.Egress && rule.AllowDns)
        {
            egress =
            [
                new V1NetworkPolicyEgressRule
                {
                    To =
                    [
                        new V1NetworkPolicyPeer
                        {
                            NamespaceSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = "kube-system" } },
                            PodSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["k8s-app"] = "kube-dns" } },
                        },
                    ],
                    Ports = [new V1NetworkPolicyPort { Protocol = "UDP", Port = 53 }, new V1NetworkPolicyPort { Protocol = "TCP", Port = 53 }],
                },
            ];
        }

        return new V1NetworkPolicy
        {
            ApiVersion = "networking.k8s.io/v1",
            Kind = "NetworkPolicy",
            Metadata = new V1ObjectMeta
            {
                Name = NamespaceNetwork.GeneratedName,
                NamespaceProperty = @namespace,
                Labels = new Dictionary<string, string>
                {
                    [NamespaceNetwork.ManagedByLabel] = NamespaceNetwork.ManagedByValue,
                    [NamespaceNetwork.PolicyLabel] = rule.PolicyName,
                },
                Annotations = new Dictionary<string, string>
                {
                    [RuleAnnotation] = Describe(rule),
                    ["policywebhook.io/description"] = $"Made by PolicyWebhook for the namespaceIsolation of ClusterPolicy \"{rule.PolicyName}\"; it removes it when the rule stops matching.",
                },
            },
            Spec = new V1NetworkPolicySpec
            {
                PodSelector = new V1LabelSelector(),
                PolicyTypes = rule.Egress ? ["Ingress", "Egress"] : ["Ingress"],
                Egress = egress,
            },
        };
    }

    [LoggerMessage(EventId = 360, Level = LogLevel.Information, Message = "Created NetworkPolicy policywebhook-default-deny in namespace {Namespace} for ClusterPolicy {Policy}")]
    private static partial void LogCreated(ILogger logger, string Namespace, string policy);

    [LoggerMessage(EventId = 361, Level = LogLevel.Information, Message = "Deleted NetworkPolicy policywebhook-default-deny in namespace {Namespace}: no isolation rule generates it any more")]
    private static partial void LogDeleted(ILogger logger, string Namespace);

    [LoggerMessage(EventId = 362, Level = LogLevel.Warning, Message = "Network isolation pass failed; retrying with backoff: {Error}")]
    private static partial void LogPassFailed(ILogger logger, string error);
}

/// <summary>Settings of the NetworkPolicy generator, bound from <c>NetworkIsolation</c>.</summary>
public sealed class NetworkIsolationOptions
{
    public const string Section = "NetworkIsolation";

    /// <summary>Create and delete default-deny NetworkPolicies for Enforce isolation rules (needs the cluster source watching NetworkPolicies, and RBAC to create and delete them).</summary>
    public bool Generate { get; set; }

    /// <summary>A full pass at least this often, even when nothing was heard to change.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long after a change the pass starts, so a burst of changes makes one pass.</summary>
    public TimeSpan Debounce { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan RetryPeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest wait between two attempts while the API server fails.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);
}
