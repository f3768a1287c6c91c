using System.Diagnostics;
using PolicyWebhook.Engine.Workloads;
using PolicyWebhook.Policies.Yaml;

namespace PolicyWebhook.Benchmarks;

/// <summary>
/// <c>yaml FILE [rounds]</c>: how fast <c>check</c> reads a big multi-document manifest, in MB/s and objects/s:
/// every document parsed into a tree (as before), against documents that carry no pod spec skipped by their
/// top-level kind (as <c>check</c> reads now), alternating in one process after a warm-up.
/// </summary>
internal static class YamlReadMeasurement
{
    public static int Run(string[] args)
    {
        var path = args.Length > 1 ? args[1] : throw new ArgumentException("usage: yaml FILE [rounds]");
        var rounds = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 5;
        var text = File.ReadAllText(path);
        var megabytes = new FileInfo(path).Length / 1e6;
        Func<string, string, bool> wanted = (apiVersion, kind) =>
            WorkloadDecoder.IsWorkload(apiVersion, kind) || kind.EndsWith("List", StringComparison.Ordinal)
            || apiVersion.StartsWith("kustomize.config.k8s.io/", StringComparison.Ordinal);
        (string Name, Func<string, string, bool>? Wanted)[] ways = [("every document parsed", null), ("no-pod-spec documents skipped", wanted)];
        foreach (var (_, w) in ways)
        {
            ManifestReader.ReadEach(text, path, YamlDialect.Kubectl, w); // warm-up
        }

        var seconds = new double[ways.Length];
        var documents = new int[ways.Length];
        var workloads = new int[ways.Length];
        for (var r = 0; r < rounds; r++)
        {
            for (var i = 0; i < ways.Length; i++)
            {
                var way = r % 2 == 0 ? i : ways.Length - 1 - i;
                var clock = Stopwatch.StartNew();
                var entries = ManifestReader.ReadEach(text, path, YamlDialect.Kubectl, ways[way].Wanted);
                seconds[way] += clock.Elapsed.TotalSeconds;
                documents[way] = entries.Count;
                workloads[way] = entries.Count(e => e.Document is { ApiVersion: { } a, Kind: { } k } && WorkloadDecoder.IsWorkload(a, k));
            }
        }

        Console.WriteLine($"{path}: {megabytes:0.0} MB, {documents[0]} documents, {workloads[0]} with a pod spec; {rounds} rounds each, alternating");
        Console.WriteLine("| reading | per pass (ms) | MB/s | documents/s | ratio |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        for (var i = 0; i < ways.Length; i++)
        {
            var pass = seconds[i] / rounds;
            Console.WriteLine($"| {ways[i].Name} | {pass * 1000:0} | {megabytes / pass:0.0} | {documents[i] / pass:0} | {seconds[0] / seconds[i]:0.0}x |");
        }

        return documents[0] == documents[1] && workloads[0] == workloads[1] ? 0 : 1;
    }
}
