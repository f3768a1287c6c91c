using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PolicyWebhook.Host.Tests.Cluster;

/// <summary>
/// Just enough of the Kubernetes API server for a watcher: list (with a resourceVersion) and watch (a stream of
/// JSON lines) per resource path, with the faults a real one has: a dropped watch, 410 Gone, a malformed event,
/// and going away altogether.
/// </summary>
public sealed class FakeApiServer : IAsyncDisposable
{
    public const string ClusterPolicies = "/apis/policywebhook.io/v1alpha1/clusterpolicies";
    public const string Policies = "/apis/policywebhook.io/v1alpha1/policies";
    public const string Exceptions = "/apis/policywebhook.io/v1alpha1/policyexceptions";
    public const string Namespaces = "/api/v1/namespaces";
    public const string NetworkPolicies = "/apis/networking.k8s.io/v1/networkpolicies";

    /// <summary>The cluster-wide lists of every kind an audit reads, owners first.</summary>
    public static readonly string[] Workloads =
    [
        "/apis/apps/v1/deployments", "/apis/apps/v1/statefulsets", "/apis/apps/v1/daemonsets", "/apis/apps/v1/replicasets",
        "/apis/batch/v1/cronjobs", "/apis/batch/v1/jobs", "/api/v1/replicationcontrollers", "/api/v1/pods",
    ];

    /// <summary>Policy reports as stored, by namespace/name, with how often each was written.</summary>
    public ConcurrentDictionary<string, JsonObject> Reports { get; } = new(StringComparer.Ordinal);

    /// <summary>Report writes (server-side applies) received.</summary>
    public int ReportWrites => _reportWrites;

    private int _reportWrites;

    private readonly ConcurrentDictionary<string, Resource> _resources = new(StringComparer.Ordinal);
    private WebApplication? _app;
    private int _version = 100;

    public Uri Address { get; private set; } = null!;

    public async Task StartAsync(int port = 0)
    {
        foreach (var path in new[] { ClusterPolicies, Policies, Exceptions, Namespaces, NetworkPolicies }.Concat(Workloads))
        {
            _resources.TryAdd(path, new Resource());
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.Run(HandleAsync);
        await _app.StartAsync();
        Address = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
    }

    /// <summary>Stops answering: the API server has gone away. The port is kept so it can come back.</summary>
    public async Task StopAsync()
    {
        foreach (var resource in _resources.Values)
        {
            resource.Events.Writer.TryWrite(null);
        }

        // Watches still open are cut after a moment, as a server going away would.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        await _app!.StopAsync(deadline.Token);
        await _app.DisposeAsync();
        _app = null;
    }

    public int Lists(string path) => _resources[path].Lists;

    public int Watches(string path) => _resources[path].Watches;

    /// <summary>The resourceVersion each watch of a path asked to start from, in order.</summary>
    public IReadOnlyList<string> WatchVersions(string path) => [.. _resources[path].WatchVersions];

    /// <summary>The current resourceVersion of an object.</summary>
    public string VersionOf(string path, string key) => (string)_resources[path].Items[key]["metadata"]!["resourceVersion"]!;

    /// <summary>Every watch of a path ends at once with no event, as a misbehaving proxy does.</summary>
    public void CloseWatchesAtOnce(string path) => _resources[path].CloseWatchesAtOnce = true;

    /// <summary>Adds or replaces an object, and tells watchers.</summary>
    public void Put(string path, JsonObject obj)
    {
        var resource = _resources[path];
        var version = Interlocked.Increment(ref _version).ToString(System.Globalization.CultureInfo.InvariantCulture);
        obj["metadata"]!["resourceVersion"] = version;
        var key = Key(obj);
        var type = resource.Items.ContainsKey(key) ? "MODIFIED" : "ADDED";
        resource.Items[key] = obj;
        resource.Events.Writer.TryWrite(new JsonObject { ["type"] = type, ["object"] = obj.DeepClone() }.ToJsonString());
    }

    public void Delete(string path, JsonObject obj)
    {
        var resource = _resources[path];
        resource.Items.TryRemove(Key(obj), out _);
        obj["metadata"]!["resourceVersion"] = Interlocked.Increment(ref _version).ToString(System.Globalization.CultureInfo.InvariantCulture);
        resource.Events.Writer.TryWrite(new JsonObject { ["type"] = "DELETED", ["object"] = obj.DeepClone() }.ToJsonString());
    }

    /// <summary>The objects stored under a path, by namespace/name.</summary>
    public IReadOnlyDictionary<string, JsonObject> Items(string path) => _resources[path].Items.ToDictionary(i => i.Key, i => i.Value, StringComparer.Ordinal);

    /// <summary>Namespaces where a create is refused (403): true as for a namespace being deleted, false as RBAC refuses.</summary>
    public ConcurrentDictionary<string, bool> TerminatingNamespaces { get; } = new(StringComparer.Ordinal);

    /// <summary>NetworkPolicy creates and deletes received, as "POST ns/name" or "DELETE ns/name", in order.</summary>
    public ConcurrentQueue<string> NetworkPolicyWrites { get; } = new();

    /// <summary>Changes an object without telling watchers: only a new list will show it.</summary>
    public void PutSilently(string path, JsonObject obj) => _resources[path].Items[Key(obj)] = obj;

    /// <summary>Sends a raw line to the watchers of a path.</summary>
    public void SendRaw(string path, string line) => _resources[path].Events.Writer.TryWrite(line);

    /// <summary>Ends the current watch of a path, as a load balancer or a timeout does.</summary>
    public void DropWatch(string path) => _resources[path].Events.Writer.TryWrite(null);

    /// <summary>The next watch of a path is told its resourceVersion is too old (an ERROR event with a 410 Status).</summary>
    public void ExpireNextWatch(string path) => _resources[path].GoneOnNextWatch = true;

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await StopAsync();
        }
    }

    private static string Key(JsonObject obj) => $"{obj["metadata"]!["namespace"]}/{obj["metadata"]!["name"]}";

    /// <summary>The status patches received, as (plural, namespace/name, body).</summary>
    public ConcurrentQueue<(string Plural, string Key, JsonObject Body)> StatusPatches { get; } = new();

    /// <summary>Leases as stored, by namespace/name.</summary>
    public ConcurrentDictionary<string, JsonObject> Leases { get; } = new(StringComparer.Ordinal);

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        var status = System.Text.RegularExpressions.Regex.Match(path, "^/apis/policywebhook.io/v1alpha1/(namespaces/(?<ns>[^/]+)/)?(?<plural>clusterpolicies|policies|policyexceptions)/(?<name>[^/]+)/status$");
        if (status.Success && context.Request.Method == "PATCH")
        {
            await PatchStatusAsync(context, status.Groups["plural"].Value, $"{status.Groups["ns"].Value}/{status.Groups["name"].Value}");
            return;
        }

        if (System.Text.RegularExpressions.Regex.IsMatch(path, "^/apis/(wgpolicyk8s.io/v1alpha2|openreports.io/v1alpha1)/(policyreports|reports)$"))
        {
            // The reports of every namespace, as a cluster-wide list by label.
            context.Response.ContentType = "application/json";
            var selector = context.Request.Query["labelSelector"].ToString().Split('=');
            var items = Reports.Values.Where(r => selector.Length != 2 || (string?)r["metadata"]?["labels"]?[selector[0]] == selector[1]).Select(r => r.DeepClone());
            await context.Response.WriteAsync(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "List", ["metadata"] = new JsonObject(), ["items"] = new JsonArray([.. items]) }.ToJsonString());
            return;
        }

        var report = System.Text.RegularExpressions.Regex.Match(path, "^/apis/(wgpolicyk8s.io/v1alpha2|openreports.io/v1alpha1)/namespaces/(?<ns>[^/]+)/(policyreports|reports)/(?<name>[^/]+)$");
        if (report.Success)
        {
            await ReportAsync(context, $"{report.Groups["ns"].Value}/{report.Groups["name"].Value}");
            return;
        }

        var networkPolicy = System.Text.RegularExpressions.Regex.Match(path, "^/apis/networking.k8s.io/v1/namespaces/(?<ns>[^/]+)/networkpolicies(/(?<name>[^/]+))?$");
        if (networkPolicy.Success && context.Request.Method is "POST" or "DELETE")
        {
            await NetworkPolicyAsync(context, networkPolicy.Groups["ns"].Value, networkPolicy.Groups["name"].Value);
            return;
        }

        var lease = System.Text.RegularExpressions.Regex.Match(path, "^/apis/coordination.k8s.io/v1/namespaces/(?<ns>[^/]+)/leases(/(?<name>[^/]+))?$");
        if (lease.Success)
        {
            await LeaseAsync(context, lease.Groups["ns"].Value, lease.Groups["name"].Value);
            return;
        }

        if (!_resources.TryGetValue(path, out var resource))
        {
            context.Response.StatusCode = 404;
            return;
        }

        context.Response.ContentType = "application/json";
        if (context.Request.Query["watch"] != "true")
        {
            Interlocked.Increment(ref resource.Lists);
            var list = new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "List",
                ["metadata"] = new JsonObject { ["resourceVersion"] = _version.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                ["items"] = new JsonArray([.. resource.Items.Values.Select(i => i.DeepClone())]),
            };
            await context.Response.WriteAsync(list.ToJsonString());
            return;
        }

        Interlocked.Increment(ref resource.Watches);
        resource.WatchVersions.Enqueue(context.Request.Query["resourceVersion"].ToString());
        if (resource.CloseWatchesAtOnce)
        {
            return;
        }

        if (resource.GoneOnNextWatch)
        {
            resource.GoneOnNextWatch = false;
            await context.Response.WriteAsync("""{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version","reason":"Expired","code":410}}""" + "\n");
            return;
        }

        await context.Response.StartAsync();
        try
        {
            while (await resource.Events.Reader.WaitToReadAsync(context.RequestAborted))
            {
                if (!resource.Events.Reader.TryRead(out var line))
                {
                    continue;
                }

                if (line is null)
                {
                    return;
                }

                await context.Response.WriteAsync(line + "\n", context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task PatchStatusAsync(HttpContext context, string plural, string key)
    {
        var body = (await System.Text.Json.JsonSerializer.DeserializeAsync<JsonObject>(context.Request.Body))!;
        StatusPatches.Enqueue((plural, key, body));
        var path = plural == "clusterpolicies" ? ClusterPolicies : plural == "policies" ? Policies : Exceptions;
        if (!_resources[path].Items.TryGetValue(key, out var item))
        {
            context.Response.StatusCode = 404;
            return;
        }

        // As the API server does: the status changes, the watchers hear of it.
        var updated = (JsonObject)item.DeepClone();
        updated["status"] = body["status"]!.DeepClone();
        Put(path, updated);
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(updated.ToJsonString());
    }

    private async Task ReportAsync(HttpContext context, string key)
    {
        context.Response.ContentType = "application/json";
        if (context.Request.Method == "DELETE")
        {
            context.Response.StatusCode = Reports.TryRemove(key, out _) ? 200 : 404;
            await context.Response.WriteAsync("""{"kind":"Status","apiVersion":"v1","status":"Success"}""");
            return;
        }

        // A server-side apply: the body is the whole object this manager wants.
        Assert.StartsWith("application/apply-patch+yaml", context.Request.ContentType, StringComparison.Ordinal);
        Assert.Equal("policywebhook", context.Request.Query["fieldManager"]);
        var body = (await System.Text.Json.JsonSerializer.DeserializeAsync<JsonObject>(context.Request.Body))!;
        Interlocked.Increment(ref _reportWrites);
        Reports[key] = body;
        await context.Response.WriteAsync(body.ToJsonString());
    }

    private async Task NetworkPolicyAsync(HttpContext context, string ns, string name)
    {
        context.Response.ContentType = "application/json";
        var resource = _resources[NetworkPolicies];
        if (context.Request.Method == "DELETE")
        {
            NetworkPolicyWrites.Enqueue($"DELETE {ns}/{name}");
            if (!resource.Items.TryGetValue($"{ns}/{name}", out var stored))
            {
                context.Response.StatusCode = 404;
                await context.Response.WriteAsync("""{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}""");
                return;
            }

            Delete(NetworkPolicies, (JsonObject)stored.DeepClone());
            await context.Response.WriteAsync("""{"kind":"Status","apiVersion":"v1","status":"Success"}""");
            return;
        }

        var body = (await System.Text.Json.JsonSerializer.DeserializeAsync<JsonObject>(context.Request.Body))!;
        body["metadata"]!["namespace"] = ns;
        var key = $"{ns}/{(string)body["metadata"]!["name"]!}";
        NetworkPolicyWrites.Enqueue($"POST {key}");
        if (TerminatingNamespaces.TryGetValue(ns, out var terminating))
        {
            context.Response.StatusCode = 403;
            await context.Response.WriteAsync(!terminating
                ? """{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Forbidden","code":403,"message":"networkpolicies is forbidden: User cannot create resource"}"""
                : $$$$"""{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Forbidden","code":403,"message":"networkpolicies \"x\" is forbidden: unable to create new content in namespace {{{{ns}}}} because it is being terminated","details":{"causes":[{"reason":"NamespaceTerminating","message":"namespace {{{{ns}}}} is being terminated","field":"metadata.namespace"}]}}""");
            return;
        }

        if (resource.Items.ContainsKey(key))
        {
            context.Response.StatusCode = 409;
            await context.Response.WriteAsync("""{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"AlreadyExists","code":409}""");
            return;
        }

        Put(NetworkPolicies, body);
        context.Response.StatusCode = 201;
        await context.Response.WriteAsync(body.ToJsonString());
    }

    /// <summary>How long every Lease call waits before it is answered: an API server that has stopped answering in time.</summary>
    public TimeSpan LeaseDelay { get; set; }

    /// <summary>Lease calls received, answered or not.</summary>
    public int LeaseCalls => _leaseCalls;

    private int _leaseCalls;

    private async Task LeaseAsync(HttpContext context, string ns, string name)
    {
        Interlocked.Increment(ref _leaseCalls);
        if (LeaseDelay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(LeaseDelay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        context.Response.ContentType = "application/json";
        if (context.Request.Method == "GET")
        {
            if (Leases.TryGetValue($"{ns}/{name}", out var stored))
            {
                await context.Response.WriteAsync(stored.ToJsonString());
                return;
            }

            context.Response.StatusCode = 404;
            await context.Response.WriteAsync("""{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}""");
            return;
        }

        var lease = (await System.Text.Json.JsonSerializer.DeserializeAsync<JsonObject>(context.Request.Body))!;
        var key = $"{ns}/{(string)lease["metadata"]!["name"]!}";
        lock (Leases)
        {
            // Optimistic concurrency, as the API server has it: a second create, or a write from a stale read, is a conflict.
            var exists = Leases.TryGetValue(key, out var stored);
            if ((context.Request.Method == "POST" && exists)
                || (context.Request.Method == "PUT" && (!exists || (string?)stored!["metadata"]!["resourceVersion"] != (string?)lease["metadata"]!["resourceVersion"])))
            {
                context.Response.StatusCode = 409;
                lease = JsonNode.Parse("""{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Conflict","code":409}""")!.AsObject();
            }
            else
            {
                lease["metadata"]!["resourceVersion"] = Interlocked.Increment(ref _version).ToString(System.Globalization.CultureInfo.InvariantCulture);
                lease["metadata"]!["namespace"] = ns;
                Leases[key] = lease;
                context.Response.StatusCode = context.Request.Method == "POST" ? 201 : 200;
            }
        }

        await context.Response.WriteAsync(lease.ToJsonString());
    }

    private sealed class Resource
    {
        public ConcurrentDictionary<string, JsonObject> Items { get; } = new(StringComparer.Ordinal);

        public Channel<string?> Events { get; } = Channel.CreateUnbounded<string?>();

        public int Lists;

        public int Watches;

        public volatile bool GoneOnNextWatch;

        public volatile bool CloseWatchesAtOnce;

        public ConcurrentQueue<string> WatchVersions { get; } = new();
    }
}
