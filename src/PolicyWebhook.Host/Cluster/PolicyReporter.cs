using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Options;
using PolicyWebhook.Cluster;
using PolicyWebhook.Cluster.Reports;
using PolicyWebhook.Host.Admission;
using PolicyWebhook.Host.Hosting;
using PolicyWebhook.Host.Policies;

namespace PolicyWebhook.Host.Cluster;

/// <summary>
/// Keeps one policy report per namespace current, on the replica that holds the status Lease: a full audit of the
/// cluster's workloads (the one <c>scan</c> runs: same exemptions, owners instead of their Pods) when policies or
/// exceptions change, when an exception expires, and on an interval. A report is written with server-side apply,
/// and only when its content changed; one over its byte budget folds its least important results into counts.
/// </summary>
public sealed partial class PolicyReporter : BackgroundService
{
    private readonly IPolicySource _source;
    private readonly IServiceProvider _services;
    private readonly ReportOptions _options;
    private readonly ILogger<PolicyReporter> _logger;
    private readonly ChangeSignal _changed = new();
    private readonly Dictionary<string, string> _written = new(StringComparer.Ordinal);
    private readonly Counter<long>? _reportsWritten;
    private readonly Counter<long>? _writeFailures;
    private readonly Histogram<double>? _passSeconds;
    private long _objects;
    private IReadOnlyDictionary<(string Policy, string Result), int> _results = new Dictionary<(string, string), int>();
    private DateTimeOffset? _lastPass;

    public PolicyReporter(IPolicySource source, IServiceProvider services, IOptions<ReportOptions> options, ILogger<PolicyReporter> logger, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _source = source;
        _services = services;
        _options = options.Value;
        _logger = logger;
        if (meterFactory is not null && _options.Enabled)
        {
            var meter = meterFactory.Create(Telemetry.AdmissionMetrics.MeterName);
            meter.CreateObservableGauge("policywebhook.reports.objects", () => Interlocked.Read(ref _objects), "{object}", "Workloads the last full report pass evaluated.");
            meter.CreateObservableGauge(
                "policywebhook.reports.results",
                () => _results.Select(r => new Measurement<int>(r.Value, new KeyValuePair<string, object?>("policy", r.Key.Policy), new KeyValuePair<string, object?>("result", r.Key.Result))),
                "{result}",
                "Report results of the last full pass, by policy and result (fail, warn, skip).");
            meter.CreateObservableGauge("policywebhook.reports.last_pass.timestamp", () => _lastPass?.ToUnixTimeMilliseconds() / 1000.0 ?? 0, "s", "When the last full report pass ended, as Unix time.");
            _reportsWritten = meter.CreateCounter<long>("policywebhook.reports.written", "{report}", "Reports written because their content changed.");
            _writeFailures = meter.CreateCounter<long>("policywebhook.reports.write_failures", "{report}", "Report writes the API server refused or did not answer.");
            _passSeconds = meter.CreateHistogram<double>("policywebhook.reports.pass.duration", "s", "Time of a full report pass.");
        }
    }

    /// <summary>Full passes done, for tests.</summary>
    public int Passes { get; private set; }

    /// <summary>Report writes sent, for tests.</summary>
    public int Writes { get; private set; }

    public override void Dispose()
    {
        _changed.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled || _source is not ClusterPolicySource cluster)
        {
            return;
        }

        var format = ReportFormat.Named(_options.Format);
        var loops = _services.GetService<BackgroundLoops>() ?? cluster.Loops;
        var time = _services.GetService<TimeProvider>() ?? TimeProvider.System;
        cluster.SnapshotPublished += _changed.Signal;
        try
        {
            var health = loops.Register("policy reports");
            await Task.WhenAll(
                Supervisor.RunAsync(health, token => LoopAsync(cluster, format, health, time, token), time, stoppingToken, _options.MaxBackoff),
                WatchWhileLeadingAsync(loops, time, stoppingToken)).ConfigureAwait(false);
        }
        finally
        {
            cluster.SnapshotPublished -= _changed.Signal;
        }
    }

    /// <summary>
    /// The workload watches, on the leader only: a workload added, deleted or given a new spec starts a pass too
    /// (after the debounce), not only the interval. Other replicas hold no watch of the cluster's Pods.
    /// </summary>
    private async Task WatchWhileLeadingAsync(BackgroundLoops loops, TimeProvider time, CancellationToken stoppingToken)
    {
        var client = _services.GetRequiredService<IKubernetes>();
        var writer = _services.GetRequiredService<PolicyStatusWriter>();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (!writer.Leading)
                {
                    await Task.Delay(_options.RetryPeriod, time, stoppingToken).ConfigureAwait(false);
                }

                using var term = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                var watches = Watches(client, loops, time).ToList();
                var running = watches.Select(w => Supervisor.RunAsync(loops.Register(w.Name), w.Run, time, term.Token, _options.MaxBackoff)).ToList();
                while (writer.Leading)
                {
                    await Task.Delay(_options.RetryPeriod, time, stoppingToken).ConfigureAwait(false);
                }

                await term.CancelAsync().ConfigureAwait(false);
                await Task.WhenAll(running).ConfigureAwait(false);
                watches.ForEach(w => loops.Unregister(w.Name));
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private IEnumerable<(string Name, Func<CancellationToken, Task> Run)> Watches(IKubernetes c, BackgroundLoops loops, TimeProvider time)
    {
        (string, Func<CancellationToken, Task>) Watch<T, TList>(string resource, Reflector<T, TList>.ListCall call)
            where T : class, IKubernetesObject<V1ObjectMeta>
            where TList : IMetadata<V1ListMeta>
        {
            var name = "report watch " + resource;
            var watch = new WorkloadChangeWatch<T, TList>(call, resource == "pods", _changed.Signal, time) { Health = loops.Register(name), MaxBackoff = _options.MaxBackoff };
            return (name, watch.RunAsync);
        }

        static int? Limit(bool watch) => watch ? null : 1;
        static bool? Bookmarks(bool watch) => watch ? true : null;
        static int? Timeout(bool watch) => watch ? 300 + System.Security.Cryptography.RandomNumberGenerator.GetInt32(300) : null;
        yield return Watch<V1Deployment, V1DeploymentList>("deployments", (v, w, t) => c.AppsV1.ListDeploymentForAllNamespacesWithHttpMessagesAsync(allowWatchBookmarks: Bookmarks(w), limit: Limit(w), resourceVersion: v, timeoutSeconds: Timeout(w), watch: w, cancellationToken: t));
        yield return Watch<V1StatefulSet, V1StatefulSetList>("statefulsets", (v, w, t) => c.AppsV1.ListStatefulSetForAllNamespacesWithHttpMessagesAsync(allowWatchBookmarks: Bookmarks(w), limit: Limit(w), resourceVersion: v, timeoutSeconds: Timeout(w), watch: w, cancellationToken: t));
        yield return Watch<V1DaemonSet, V1DaemonSetList>("daemonsets", (v, w, t) => c.AppsV1.ListDaemonSetForAllNamespacesWithHttpMessagesAsync(allowWatchBookmarks: Bookmarks(w), limit: Limit(w), resourceVersion: v, timeoutSeconds: Timeout(w), watch: w, cancellationToken: t));
        yield return Watch<V1ReplicaSet, V1ReplicaSetList>("replicasets", (v, w, t) => c.AppsV1.ListReplicaSetForAllNamespacesWithHttpMessagesAsync(allowWatchBookmarks: Bookmarks(w), limit: Limit(w), resourceVersion: v, timeoutSeconds: Timeout(w), watch: w, cancellationToken: t));
        yield return Watch<V1CronJob, V1CronJobList>("cronjobs", (v, w, t) => c.BatchV1.ListCronJobForAllNamespacesWithHttpMessagesAsync(allowWatchBookmarks: Bookmarks(w), limit: Limit(w), resourceVersion: v, timeoutSeconds: Timeout(w), watch: w, cancellationToken: t));
        yield return Watch<V1Job, V1JobList>("jobs", (v, w, t) => c.BatchV1.ListJobForAllNamespacesWithHttpMessagesAsync(allowWatchBookmarks: Bookmarks(w), limit: Limit(w), resourceVersion: v, timeoutSeconds: Timeout(w), watch: w, cancellationToken: t));
        yield return Watch<V1ReplicationController, V1ReplicationControllerList>("replicationcontrollers", (v, w, t) => c.CoreV1.ListReplicationControllerForAllNamespacesWithHttpMessagesAsync(allowWatchBookmarks: Bookmarks(w), limit: Limit(w), resourceVersion: v, timeoutSeconds: Timeout(w), watch: w, cancellationToken: t));
        yield return Watch<V1Pod, V1PodList>("pods", (v, w, t) => c.CoreV1.ListPodForAllNamespacesWithHttpMessagesAsync(allowWatchBookmarks: Bookmarks(w), limit: Limit(w), resourceVersion: v, timeoutSeconds: Timeout(w), watch: w, cancellationToken: t));
    }

    private async Task LoopAsync(ClusterPolicySource cluster, ReportFormat format, LoopHealth health, TimeProvider time, CancellationToken stoppingToken)
    {
        var client = _services.GetRequiredService<IKubernetes>();
        var writer = _services.GetRequiredService<PolicyStatusWriter>();
        var exempt = _services.GetRequiredService<IOptions<AdmissionOptions>>().Value.EffectiveExemptNamespaces();
        var backoff = _options.RetryPeriod;
        var due = true; // A first pass as soon as this replica leads.
        var leading = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            if (writer.Leading != leading)
            {
                // Another replica may have written meanwhile, or nothing: a new leader compares with nothing, and
                // makes a pass at once.
                leading = writer.Leading;
                _written.Clear();
                due |= leading;
            }

            if (due && writer.Leading && cluster.Current is { } snapshot)
            {
                try
                {
                    await PassAsync(client, snapshot, format, exempt, () => writer.Leading, time, stoppingToken).ConfigureAwait(false);
                    health.Succeeded();
                    backoff = _options.RetryPeriod;
                    due = false;
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // What the API server holds is not known after a failure (a restore, a deletion): write it all again.
                    _written.Clear();
                    health.Failed(e, backoff, atCeiling: backoff >= _options.MaxBackoff);
                    await Task.Delay(backoff, time, stoppingToken).ConfigureAwait(false);
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
                    continue;
                }
            }

            // Until the next change, the interval, the next exception to expire, or (while not leading) a look
            // at the Lease again.
            var wait = writer.Leading ? Until(cluster.Current, time.GetUtcNow()) : _options.RetryPeriod;
            if (await _changed.WaitAsync(wait, time, stoppingToken).ConfigureAwait(false))
            {
                // A burst of changes (a kubectl apply of a folder, a rollout) makes one pass, a moment later, and
                // passes are at least MinInterval apart however busy the cluster is.
                var spacing = _lastPass is { } last ? last + _options.MinInterval - time.GetUtcNow() : TimeSpan.Zero;
                await Task.Delay(spacing > _options.Debounce ? spacing : _options.Debounce, time, stoppingToken).ConfigureAwait(false);
                due = true;
            }
            else
            {
                due |= writer.Leading;
            }
        }
    }

    /// <summary>The namespaces that hold a report of this webhook now, by its label.</summary>
    private static async Task<IReadOnlyList<string>> ExistingAsync(IKubernetes client, ReportFormat format, CancellationToken cancellationToken)
    {
        var namespaces = new List<string>();
        string? token = null;
        do
        {
            var page = (System.Text.Json.JsonElement)await client.CustomObjects.ListClusterCustomObjectAsync(
                format.Group, format.Version, format.Plural, continueParameter: token, labelSelector: NamespaceReport.ManagedByLabel + "=policy-webhook",
                limit: WorkloadAudit.PageSize, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (page.TryGetProperty("items", out var items) && items.ValueKind == System.Text.Json.JsonValueKind.Array)
            {
                foreach (var item in items.EnumerateArray())
                {
                    if (item.TryGetProperty("metadata", out var metadata) && metadata.TryGetProperty("namespace", out var ns) && ns.GetString() is { } name
                        && metadata.TryGetProperty("name", out var reportName) && reportName.GetString() == NamespaceReport.Name)
                    {
                        namespaces.Add(name);
                    }
                }
            }

            token = page.TryGetProperty("metadata", out var listMetadata) && listMetadata.TryGetProperty("continue", out var next) && next.GetString() is { Length: > 0 } more ? more : null;
        }
        while (token is not null);
        return namespaces;
    }

    private TimeSpan Until(PolicySnapshot? snapshot, DateTimeOffset now)
    {
        var wait = _options.Interval;
        foreach (var exception in snapshot?.Exceptions ?? [])
        {
            if (exception.ExpiresAt is var expiry && expiry > now && expiry - now + TimeSpan.FromSeconds(1) < wait)
            {
                wait = expiry - now + TimeSpan.FromSeconds(1);
            }
        }

        return wait;
    }

    private async Task PassAsync(IKubernetes client, PolicySnapshot snapshot, ReportFormat format, IReadOnlySet<string> exempt, Func<bool> leading, TimeProvider time, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var reports = new SortedDictionary<string, NamespaceReport>(StringComparer.Ordinal);
        var objects = 0L;
        await foreach (var audited in WorkloadAudit.RunAsync(client, snapshot.Evaluator, snapshot.LabelsOf, null, exempt, time, cancellationToken).ConfigureAwait(false))
        {
            if (audited.Outcome != AuditOutcome.Evaluated)
            {
                continue;
            }

            objects++;
            if (!reports.TryGetValue(audited.Namespace, out var report))
            {
                reports[audited.Namespace] = report = new NamespaceReport(audited.Namespace);
            }

            report.Add(audited, _options.ListPasses);
        }

        // Namespaces an isolation rule matches and nothing isolates (only when NetworkPolicies are watched).
        foreach (var ns in snapshot.KnowsNetworks ? snapshot.Namespaces : [])
        {
            if (snapshot.UnisolatedBy(ns, exempt) is { } rule)
            {
                if (!reports.TryGetValue(ns, out var report))
                {
                    reports[ns] = report = new NamespaceReport(ns);
                }

                report.AddIsolationGap(rule.PolicyName, rule.Mode, snapshot.NetworkOf(ns).Missing(rule));
            }
        }

        var results = new Dictionary<(string, string), int>();
        Exception? firstError = null;
        foreach (var (ns, report) in reports)
        {
            var document = report.Render(format, _options.MaxBytes, _options.ListPasses);
            foreach (var result in document["results"]!.AsArray())
            {
                var key = ((string)result!["policy"]!, (string)result["result"]!);
                results[key] = results.GetValueOrDefault(key) + 1;
            }

            var text = document.ToJsonString();
            var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
            if (_written.TryGetValue(ns, out var last) && last == hash)
            {
                continue; // Unchanged: not written, so its resourceVersion does not move.
            }

            if (!leading())
            {
                throw new InvalidOperationException("this replica lost the Lease during a pass; the new leader writes the reports");
            }

            try
            {
                Writes++;
                await client.CustomObjects.PatchNamespacedCustomObjectAsync(
                    new V1Patch(text, V1Patch.PatchType.ApplyPatch), format.Group, format.Version, ns, format.Plural, NamespaceReport.Name,
                    fieldManager: "policywebhook", force: true, cancellationToken: cancellationToken).ConfigureAwait(false);
                _written[ns] = hash;
                _reportsWritten?.Add(1);
                if (document["metadata"]!["annotations"]?[NamespaceReport.FoldedAnnotation] is { } folded)
                {
                    LogFolded(_logger, ns, (string)folded!);
                }
            }
            catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException)
            {
                _writeFailures?.Add(1);
                firstError ??= e;
            }
        }

        // Namespaces with nothing left to report (deleted, exempted, emptied): their report goes, also one an earlier
        // leader wrote, which this replica knows of only from the API server.
        var stale = (await ExistingAsync(client, format, cancellationToken).ConfigureAwait(false)).Union(_written.Keys).Where(n => !reports.ContainsKey(n)).ToList();
        foreach (var ns in stale)
        {
            if (!leading())
            {
                break;
            }

            try
            {
                await client.CustomObjects.DeleteNamespacedCustomObjectAsync(format.Group, format.Version, ns, format.Plural, NamespaceReport.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
                _written.Remove(ns);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                _written.Remove(ns);
            }
            catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException)
            {
                _writeFailures?.Add(1);
                firstError ??= e;
            }
        }

        Interlocked.Exchange(ref _objects, objects);
        _results = results;
        _lastPass = time.GetUtcNow();
        Passes++;
        var seconds = time.GetElapsedTime(started).TotalSeconds;
        _passSeconds?.Record(seconds);
        LogPass(_logger, objects, reports.Count, seconds);
        if (firstError is not null)
        {
            throw new InvalidOperationException($"some reports could not be written ({firstError.GetType().Name})", firstError);
        }
    }

    [LoggerMessage(EventId = 340, Level = LogLevel.Information, Message = "Policy reports written in {Seconds:F1} s (workloads: {Objects}, namespaces: {Namespaces})")]
    private static partial void LogPass(ILogger logger, long objects, int namespaces, double seconds);

    [LoggerMessage(EventId = 341, Level = LogLevel.Warning, Message = "The policy report of namespace {Namespace} is at its size limit: {Folded}")]
    private static partial void LogFolded(ILogger logger, string Namespace, string folded);
}

/// <summary>Settings of the policy reports, bound from <c>Reports</c>.</summary>
public sealed class ReportOptions
{
    public const string Section = "Reports";

    /// <summary>Keep a policy report per namespace (needs policies from the cluster, and RBAC to list workloads).</summary>
    public bool Enabled { get; set; }

    /// <summary><c>PolicyReport</c> (wgpolicyk8s.io/v1alpha2) or <c>OpenReports</c> (openreports.io/v1alpha1 Report).</summary>
    public string Format { get; set; } = "PolicyReport";

    /// <summary>A full pass at least this often, even when nothing was heard to change.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The least time between two passes that a change starts, so a busy cluster does not keep the leader auditing.</summary>
    public TimeSpan MinInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long after a policy change the pass starts, so a burst of changes makes one pass.</summary>
    public TimeSpan Debounce { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The largest report written, in bytes (etcd's own limit is 1.5 MiB).</summary>
    public int MaxBytes { get; set; } = 512 * 1024;

    /// <summary>List passing workloads too, not only count them.</summary>
    public bool ListPasses { get; set; }

    public TimeSpan RetryPeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest wait between two attempts while the API server fails.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);
}
