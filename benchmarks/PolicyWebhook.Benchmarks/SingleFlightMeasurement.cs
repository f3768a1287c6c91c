using System.Diagnostics;
using System.Globalization;
using PolicyWebhook.Tests.Shared;

namespace PolicyWebhook.Benchmarks;

/// <summary>
/// How many HTTP requests the registry gets when many admissions name one image it has not seen: for each fixture image,
/// the requests of one gather on a fresh gatherer, then of N concurrent gathers on another fresh one, against Debian's
/// docker-registry on loopback. Run: <c>-- single-flight [concurrent gathers]</c> (1,000 when left out).
/// </summary>
internal static class SingleFlightMeasurement
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(string[] args)
    {
        var concurrent = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1000;
        var registry = new RegistryServer();
        await registry.InitializeAsync();
        try
        {
            var sent = new List<string>();
            Console.WriteLine($"| image | requests, one gather | requests, {concurrent:N0} concurrent gathers | verified | wall time of the {concurrent:N0} |");
            Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
            foreach (var image in new[] { "shop/app:1.0", "shop/app:1.2" })
            {
                var full = $"{registry.Host}/{image}";
                var (one, _, _, requests) = await GatherAsync(registry.Host, full, 1);
                var (many, verified, elapsed, _) = await GatherAsync(registry.Host, full, concurrent);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {image} | {one} | {many} | {verified:N0} of {concurrent:N0} | {elapsed.TotalMilliseconds:0} ms |"));
                sent.Add($"{image}, one gather:");
                sent.AddRange(requests.Select(r => "  " + r));
            }

            Console.WriteLine();
            sent.ForEach(Console.WriteLine);
        }
        finally
        {
            await registry.DisposeAsync();
        }

        return 0;
    }

    // All gathers start before any can finish: the first starts the round, the rest find it under way.
    private static async Task<(int Requests, int Verified, TimeSpan Elapsed, IReadOnlyCollection<string> Sent)> GatherAsync(string host, string image, int count)
    {
        using var fresh = new CountingGatherer(host);
        var entry = CountingGatherer.SignedAndScanned;
        var start = Stopwatch.GetTimestamp();
        var results = await Task.WhenAll(Enumerable.Range(0, count).Select(_ => fresh.Gatherer.GatherAsync([(entry, image)], Budget, CancellationToken.None)));
        var elapsed = Stopwatch.GetElapsedTime(start);
        var verified = results.Count(r => r.Find(entry, image) is { Unavailable: null, SignedBy.Count: 1, Attestations.Count: 1 });
        return (fresh.Requests, verified, elapsed, [.. fresh.Sent]);
    }
}
