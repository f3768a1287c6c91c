using k8s;
using k8s.Models;
using Microsoft.Extensions.Options;
using PolicyWebhook.Cluster;
using PolicyWebhook.Engine;
using PolicyWebhook.Engine.Exceptions;
using PolicyWebhook.Host.Hosting;
using PolicyWebhook.Host.Policies;
using PolicyWebhook.Policies;
using PolicyWebhook.Policies.Resources;

namespace PolicyWebhook.Host.Cluster;

/// <summary>
/// Policies from the cluster: lists and watches ClusterPolicy, Policy, PolicyException and Namespace objects and
/// publishes, after every change, an immutable snapshot that admission reads without calling the API server.
/// Ready after the first full sync; through an API server outage the last snapshot keeps serving. A policy that
/// fails validation is left out whole (never half-applied) and reported.
/// </summary>
public sealed partial class ClusterPolicySource : BackgroundService, IPolicySource
{
    private readonly ILogger<ClusterPolicySource> _logger;
    private readonly TimeProvider _time;
    private readonly Lock _rebuild = new();
    private readonly Reflector<ClusterPolicy, ResourceList<ClusterPolicy>> _clusterPolicies;
    private readonly Reflector<Policy, ResourceList<Policy>> _policies;
    private readonly Reflector<PolicyException, ResourceList<PolicyException>> _exceptions;
    private readonly Reflector<V1Namespace, V1NamespaceList> _namespaces;
    private readonly Reflector<V1NetworkPolicy, V1NetworkPolicyList>? _networkPolicies;
    private volatile PolicySnapshot? _current;
    private volatile IReadOnlyList<string> _problems = [];
    private volatile IReadOnlyList<ObjectState> _states = [];
    private readonly BackgroundLoops _loops;
    private readonly TimeSpan _maxBackoff;

    public ClusterPolicySource(IKubernetes client, ILogger<ClusterPolicySource> logger, TimeProvider time, IOptions<ClusterSourceOptions> options, BackgroundLoops? loops = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        _logger = logger;
        _time = time;
        _loops = loops ?? new BackgroundLoops(time, Microsoft.Extensions.Logging.Abstractions.NullLogger<BackgroundLoops>.Instance);
        var backoff = _maxBackoff = options.Value.MaxBackoff;
        _clusterPolicies = Custom<ClusterPolicy>(client, "clusterpolicies", backoff);
        _policies = Custom<Policy>(client, "policies", backoff);
        _exceptions = Custom<PolicyException>(client, "policyexceptions", backoff);
        _namespaces = new Reflector<V1Namespace, V1NamespaceList>(
            "namespaces",
            (version, watch, token) => client.CoreV1.ListNamespaceWithHttpMessagesAsync(
                allowWatchBookmarks: watch ? true : null, resourceVersion: version, timeoutSeconds: watch ? WatchTimeout() : null, watch: watch, cancellationToken: token),
            list => (list?.Items, list?.Metadata?.ResourceVersion),
            logger,
            time)
        { MaxBackoff = backoff, Health = _loops.Register("watch namespaces") };
        if (options.Value.NetworkPolicies)
        {
            _networkPolicies = new Reflector<V1NetworkPolicy, V1NetworkPolicyList>(
                "networkpolicies",
                (version, watch, token) => client.NetworkingV1.ListNetworkPolicyForAllNamespacesWithHttpMessagesAsync(
                    allowWatchBookmarks: watch ? true : null, resourceVersion: version, timeoutSeconds: watch ? WatchTimeout() : null, watch: watch, cancellationToken: token),
                list => (list?.Items, list?.Metadata?.ResourceVersion),
                logger,
                time)
            { MaxBackoff = backoff, Health = _loops.Register("watch networkpolicies") };
            _networkPolicies.Changed += Rebuild;
        }

        foreach (var changed in new Action<Action>[] { a => _clusterPolicies.Changed += a, a => _policies.Changed += a, a => _exceptions.Changed += a, a => _namespaces.Changed += a })
        {
            changed(Rebuild);
        }
    }

    public PolicySnapshot? Current => _current;

    public IReadOnlyList<string> Problems => _problems;

    public long FailedLoads => 0;

    /// <summary>Every policy resource as the last snapshot judged it, for the status writer.</summary>
    public IReadOnlyList<ObjectState> States => _states;

    /// <summary>Raised after each new snapshot.</summary>
    public event Action? SnapshotPublished;

    /// <summary>The loops of this source, by name, for tests and health.</summary>
    public BackgroundLoops Loops => _loops;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(
            Supervise("watch clusterpolicies", _clusterPolicies.RunAsync, stoppingToken),
            Supervise("watch policies", _policies.RunAsync, stoppingToken),
            Supervise("watch policyexceptions", _exceptions.RunAsync, stoppingToken),
            Supervise("watch namespaces", _namespaces.RunAsync, stoppingToken),
            _networkPolicies is null ? Task.CompletedTask : Supervise("watch networkpolicies", _networkPolicies.RunAsync, stoppingToken));

    // A reflector catches its own failures; the supervisor starts it again should anything escape all the same.
    private Task Supervise(string name, Func<CancellationToken, Task> run, CancellationToken stoppingToken) =>
        Supervisor.RunAsync(_loops.Register(name), run, _time, stoppingToken, _maxBackoff);

    /// <summary>Builds a new snapshot from the copies; nothing until every kind has been listed once.</summary>
    public void Rebuild()
    {
        if (!_clusterPolicies.Synced || !_policies.Synced || !_exceptions.Synced || !_namespaces.Synced || _networkPolicies is { Synced: false })
        {
            return;
        }

        lock (_rebuild)
        {
            var problems = new List<string>();
            var states = new List<ObjectState>();
            var compiled = new List<CompiledPolicy>();
            var isolation = new List<NamespaceIsolationRule>();
            var invalid = new HashSet<string>(StringComparer.Ordinal);
            foreach (var policy in _clusterPolicies.Items.Cast<PolicyResource>().Concat(_policies.Items).OrderBy(p => p.Kind, StringComparer.Ordinal).ThenBy(p => p.Metadata.NamespaceProperty).ThenBy(p => p.Metadata.Name))
            {
                var (policyCompiled, errors) = PolicyCompiler.CompileIfValid(policy);
                states.Add(new ObjectState(policy.Kind, policy.IsNamespaced ? "policies" : "clusterpolicies", policy.Metadata.NamespaceProperty, policy.Metadata.Name,
                    policy.Metadata.Generation ?? 0, policy.Status, errors));
                problems.AddRange(errors.Select(e => $"{Name(policy.Kind, policy.Metadata)}: {e}"));
                if (policyCompiled is null && !policy.IsNamespaced)
                {
                    invalid.Add(policy.Metadata.Name);
                }

                if (policyCompiled is not null)
                {
                    compiled.Add(policyCompiled);
                    if (!policy.IsNamespaced && PolicyCompiler.CompileIsolation(policy) is { } rule)
                    {
                        isolation.Add(rule);
                    }
                }
            }

            var exceptions = new List<CompiledException>();
            foreach (var exception in _exceptions.Items)
            {
                var (exceptionCompiled, errors) = PolicyCompiler.CompileIfValid(exception);
                states.Add(new ObjectState(exception.Kind, "policyexceptions", exception.Metadata.NamespaceProperty, exception.Metadata.Name,
                    exception.Metadata.Generation ?? 0, exception.Status, errors, exceptionCompiled?.ExpiresAt));
                problems.AddRange(errors.Select(e => $"{Name(exception.Kind, exception.Metadata)}: {e}"));
                if (exceptionCompiled is not null)
                {
                    exceptions.Add(exceptionCompiled);
                }
            }

            var labels = _namespaces.Items.ToDictionary(n => n.Metadata.Name, n => (IDictionary<string, string>)(n.Metadata.Labels ?? new Dictionary<string, string>()), StringComparer.Ordinal);
            var networks = _networkPolicies is null ? null : NamespaceNetwork.Of(_networkPolicies.Items);
            _current = new PolicySnapshot(compiled, "cluster", _time.GetUtcNow(), exceptions, labels, isolation, networks, invalid);
            _problems = problems;
            _states = states;
            LogSnapshot(_logger, compiled.Count, exceptions.Count, labels.Count, problems.Count);
        }

        SnapshotPublished?.Invoke();
    }

    private Reflector<T, ResourceList<T>> Custom<T>(IKubernetes client, string plural, TimeSpan backoff)
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        new(
            plural,
            (version, watch, token) => client.CustomObjects.ListClusterCustomObjectWithHttpMessagesAsync<ResourceList<T>>(
                PolicyApi.Group, PolicyApi.Version, plural, allowWatchBookmarks: watch ? true : null, resourceVersion: version,
                timeoutSeconds: watch ? WatchTimeout() : null, watch: watch, cancellationToken: token),
            list => (list?.Items, list?.Metadata?.ResourceVersion),
            _logger,
            _time)
        { MaxBackoff = backoff, Health = _loops.Register("watch " + plural) };

    /// <summary>
    /// The API server ends a watch after this long, so a connection that died without a word (a half-open TCP
    /// connection) is noticed: 5 to 10 minutes, spread so replicas do not all list again at once.
    /// </summary>
    private static int WatchTimeout() => 300 + System.Security.Cryptography.RandomNumberGenerator.GetInt32(300);

    private static string Name(string kind, V1ObjectMeta metadata) =>
        string.IsNullOrEmpty(metadata.NamespaceProperty) ? $"{kind} \"{metadata.Name}\"" : $"{kind} \"{metadata.NamespaceProperty}/{metadata.Name}\"";

    [LoggerMessage(EventId = 310, Level = LogLevel.Information, Message = "Policy snapshot (policies: {Policies}, exceptions: {Exceptions}, namespaces: {Namespaces}, problems: {Problems})")]
    private static partial void LogSnapshot(ILogger logger, int policies, int exceptions, int namespaces, int problems);
}

/// <summary>Settings of the cluster policy source, bound from <c>Policies:Cluster</c>.</summary>
public sealed class ClusterSourceOptions
{
    public const string Section = "Policies:Cluster";

    /// <summary>The longest wait between two attempts while the API server is unreachable.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Watch NetworkPolicies in every namespace, for namespace isolation rules (needs RBAC to list and watch them).</summary>
    public bool NetworkPolicies { get; set; }
}
