using BenchmarkDotNet.Running;

// `reports` measures one full policy-report pass, `single-flight` counts registry requests; anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "reports")
{
    return await PolicyWebhook.Benchmarks.ReportPassMeasurement.RunAsync(args);
}

if (args.Length > 0 && args[0] == "single-flight")
{
    return await PolicyWebhook.Benchmarks.SingleFlightMeasurement.RunAsync(args);
}

BenchmarkSwitcher.FromAssembly(typeof(PolicyWebhook.Benchmarks.EvaluationBenchmarks).Assembly).Run(args);
return 0;
