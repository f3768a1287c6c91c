using System.Diagnostics;
using System.Globalization;
using System.Text;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PolicyWebhook.Cluster;
using PolicyWebhook.Cluster.Reports;
using PolicyWebhook.Engine;
using PolicyWebhook.Policies;

namespace PolicyWebhook.Benchmarks;

/// <summary>
/// One full policy-report pass, as the leader runs it (the audit of every workload through paged lists, then one
/// report per namespace), over a synthetic cluster served on loopback: how long it takes, how large the reports
/// are, and how much managed memory the pass holds at most. Run: <c>-- reports [deployments] [pods per deployment] [failing percent]</c>.
/// </summary>
internal static class ReportPassMeasurement
{
    public static async Task<int> RunAsync(string[] args)
    {
        var deployments = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1000;
        var podsEach = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 10;
        var failingPercent = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 100;
        const int Namespaces = 10;

        await using var server = await StartAsync(deployments, podsEach, failingPercent, Namespaces);
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.Address });
        var evaluator = new PolicyEvaluator([.. BuiltInPolicies.Default.Select(p => p.Compiled)]);

        // A first pass warms the JIT and the connection; the second is measured.
        await PassAsync(client, evaluator, sample: false);
        var (seconds, bytes, reports, results, evaluated, peakHeap, retained) = await PassAsync(client, evaluator, sample: true);

        Console.WriteLine($"cluster: {deployments:N0} Deployments ({failingPercent}% breaking the built-in default policy), {deployments:N0} ReplicaSets, {deployments * podsEach:N0} Pods in {Namespaces} namespaces");
        Console.WriteLine($"full pass: {seconds:F2} s; {evaluated:N0} workloads evaluated (owners; their ReplicaSets and Pods left to them)");
        Console.WriteLine($"reports: {reports} of {bytes:N0} bytes in all ({bytes / 1024.0 / 1024.0:F2} MiB), {results:N0} results listed");
        Console.WriteLine($"managed heap over the baseline: {peakHeap / 1024.0 / 1024.0:F1} MiB at most during the pass (garbage not yet collected included), {retained / 1024.0 / 1024.0:F2} MiB live once every list was read");
        return 0;
    }

    private static async Task<(double Seconds, long Bytes, int Reports, int Results, int Evaluated, long PeakHeap, long Retained)> PassAsync(IKubernetes client, PolicyEvaluator evaluator, bool sample)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var peak = baseline;
        using var sampling = new CancellationTokenSource();
        var sampler = sample
            ? Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    peak = Math.Max(peak, GC.GetTotalMemory(false));
                    await Task.Delay(5).ConfigureAwait(false);
                }
            })
            : Task.CompletedTask;

        var clock = Stopwatch.StartNew();
        var reports = new Dictionary<string, NamespaceReport>(StringComparer.Ordinal);
        var evaluated = 0;
        await foreach (var audited in WorkloadAudit.RunAsync(client, evaluator, _ => null, null, NamespaceExemptions.Effective(null, "policy-webhook"), CancellationToken.None))
        {
            if (audited.Outcome != AuditOutcome.Evaluated)
            {
                continue;
            }

            evaluated++;
            if (!reports.TryGetValue(audited.Namespace, out var report))
            {
                reports[audited.Namespace] = report = new NamespaceReport(audited.Namespace);
            }

            report.Add(audited, listPasses: false);
        }

        // What the pass holds once every list has been read: the findings per owner, nothing of the objects.
        var retained = sample ? GC.GetTotalMemory(forceFullCollection: true) - baseline : 0;
        long bytes = 0;
        var results = 0;
        foreach (var report in reports.Values)
        {
            var document = report.Render(ReportFormat.PolicyReport, 512 * 1024, listPasses: false);
            bytes += Encoding.UTF8.GetByteCount(document.ToJsonString());
            results += document["results"]!.AsArray().Count;
        }

        var seconds = clock.Elapsed.TotalSeconds;
        await sampling.CancelAsync();
        await sampler;
        return (seconds, bytes, reports.Count, results, evaluated, peak - baseline, retained);
    }

    /// <summary>Paged lists of the synthetic cluster, each page pre-rendered, as an API server's watch cache answers.</summary>
    private static async Task<LoopbackApiServer> StartAsync(int deployments, int podsEach, int failingPercent, int namespaces)
    {
        static string Container(bool failing) => failing
            ? """{"name":"app","image":"registry.example.com/app:1.0"}"""
            : """{"name":"app","image":"registry.example.com/app:1.0","securityContext":{"runAsNonRoot":true,"allowPrivilegeEscalation":false,"readOnlyRootFilesystem":true,"capabilities":{"drop":["ALL"]},"seccompProfile":{"type":"RuntimeDefault"}},"resources":{"requests":{"cpu":"100m","memory":"64Mi"},"limits":{"memory":"128Mi"}}}""";

        var lists = new Dictionary<string, List<string>>(StringComparer.Ordinal)
        {
            ["/apis/apps/v1/deployments"] = [],
            ["/apis/apps/v1/replicasets"] = [],
            ["/api/v1/pods"] = [],
        };
        for (var i = 0; i < deployments; i++)
        {
            var ns = $"team-{i % namespaces}";
            var failing = i % 100 < failingPercent;
            var template = "{\"template\":{\"metadata\":{\"labels\":{\"app\":\"app-" + i.ToString(CultureInfo.InvariantCulture) + "\"}},\"spec\":{\"containers\":[" + Container(failing) + "]}}}";
            lists["/apis/apps/v1/deployments"].Add($$"""{"metadata":{"name":"app-{{i}}","namespace":"{{ns}}","uid":"d-{{i}}"},"spec":{{template}}}""");
            var owner = $$""","ownerReferences":[{"apiVersion":"apps/v1","kind":"Deployment","name":"app-{{i}}","uid":"d-{{i}}","controller":true}]""";
            lists["/apis/apps/v1/replicasets"].Add($$"""{"metadata":{"name":"app-{{i}}-5d8f","namespace":"{{ns}}","uid":"r-{{i}}"{{owner}}},"spec":{{template}}}""");
            for (var p = 0; p < podsEach; p++)
            {
                var podOwner = $$""","ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"app-{{i}}-5d8f","uid":"r-{{i}}","controller":true}]""";
                lists["/api/v1/pods"].Add($$$"""{"metadata":{"name":"app-{{{i}}}-5d8f-{{{p}}}","namespace":"{{{ns}}}","uid":"p-{{{i}}}-{{{p}}}"{{{podOwner}}}},"spec":{"containers":[{{{Container(failing)}}}]}}""");
            }
        }

        var pages = lists.ToDictionary(l => l.Key, l => l.Value.Chunk(WorkloadAudit.PageSize).Select((items, n) => (Items: string.Join(',', items), Index: n)).ToList(), StringComparer.Ordinal);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Run(async context =>
        {
            context.Response.ContentType = "application/json";
            var page = int.TryParse(context.Request.Query["continue"], CultureInfo.InvariantCulture, out var n) ? n : 0;
            if (!pages.TryGetValue(context.Request.Path.Value!, out var all) || all.Count == 0)
            {
                await context.Response.WriteAsync("""{"apiVersion":"v1","kind":"List","metadata":{"resourceVersion":"1"},"items":[]}""");
                return;
            }

            var next = page + 1 < all.Count ? $",\"continue\":\"{page + 1}\"" : "";
            await context.Response.WriteAsync($$"""{"apiVersion":"v1","kind":"List","metadata":{"resourceVersion":"1"{{next}}},"items":[{{all[page].Items}}]}""");
        });
        await app.StartAsync();
        return new LoopbackApiServer(app, app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
    }

    private sealed record LoopbackApiServer(WebApplication App, string Address) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }
    }
}
