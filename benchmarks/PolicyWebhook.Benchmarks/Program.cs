using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(PolicyWebhook.Benchmarks.EvaluationBenchmarks).Assembly).Run(args);
