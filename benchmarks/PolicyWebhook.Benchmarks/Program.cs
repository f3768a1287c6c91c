using BenchmarkDotNet.Running;

// `reports` measures one full policy-report pass, `yaml` how fast check reads a big manifest, `single-flight` counts
// registry requests; anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "reports")
{
    return await PolicyWebhook.Benchmarks.ReportPassMeasurement.RunAsync(args);
}

if (args.Length > 0 && args[0] == "yaml")
{
    return PolicyWebhook.Benchmarks.YamlReadMeasurement.Run(args);
}

if (args.Length > 0 && args[0] == "single-flight")
{
    return await PolicyWebhook.Benchmarks.SingleFlightMeasurement.RunAsync(args);
}

BenchmarkSwitcher.FromAssembly(typeof(PolicyWebhook.Benchmarks.EvaluationBenchmarks).Assembly).Run(args);
return 0;
