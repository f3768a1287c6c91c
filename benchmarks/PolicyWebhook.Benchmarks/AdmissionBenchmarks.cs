using System.Buffers;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Options;
using PolicyWebhook.Engine;
using PolicyWebhook.Engine.Workloads;
using PolicyWebhook.Host.Admission;
using PolicyWebhook.Host.Policies;
using PolicyWebhook.Policies;

namespace PolicyWebhook.Benchmarks;

/// <summary>
/// The webhook's own work on one real kube-apiserver pod AdmissionReview (6.5 KB compact, managedFields included), step by
/// step: parse the body, read the request, decode the pod, evaluate, and the whole handler with its answer.
/// </summary>
[MemoryDiagnoser]
public class AdmissionBenchmarks
{
    private byte[] _body = null!;
    private JsonDocument _document = null!;
    private AdmissionRequest _request = null!;
    private PolicyEvaluator _evaluator = null!;
    private WorkloadTarget _target = null!;
    private ValidatingHandler _handler = null!;
    private byte[] _objectBytes = null!;
    private byte[] _scratch = null!;

    [GlobalSetup]
    public void Setup()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "PolicyWebhook.sln")))
        {
            root = root.Parent!;
        }

        // The samples are stored indented; the API server sends compact JSON (6.5 KB for this one).
        var sample = File.ReadAllText(Path.Combine(root.FullName, "tests", "PolicyWebhook.Engine.Tests", "Samples", "pod-create.json"));
        _body = System.Text.Encoding.UTF8.GetBytes(System.Text.Json.Nodes.JsonNode.Parse(sample)!.ToJsonString());
        _document = JsonDocument.Parse(_body);
        _scratch = new byte[_body.Length];
        _request = AdmissionReviewReader.ReadRequest(Fresh()).Request!;
        _objectBytes = _request.ObjectJson.ToArray();
        var policies = BuiltInPolicies.Default.Select(p => p.Compiled).ToList();
        _evaluator = new PolicyEvaluator(policies);
        PodSpecLocator.TryLocate(WorkloadDecoder.Decode("Pod", _objectBytes), "default", out _target);
        _handler = new ValidatingHandler(new FixedPolicySource(new PolicySnapshot(policies, "built-in", DateTimeOffset.UnixEpoch)), Options.Create(new AdmissionOptions()));
    }

    [GlobalCleanup]
    public void Cleanup() => _document.Dispose();

    [Benchmark(Baseline = true, Description = "parse the body (JsonDocument)")]
    public int Parse()
    {
        using var document = JsonDocument.Parse(_body);
        return document.RootElement.GetArrayLength_OrZero();
    }

    [Benchmark(Description = "read the request (one pass, objects kept as slices, managedFields cut)")]
    public string Read() => AdmissionReviewReader.ReadRequest(Fresh()).Request!.Uid;

    [Benchmark(Description = "decode the pod from its bytes, every field (check)")]
    public object DecodeBytes() => WorkloadDecoder.Decode("Pod", _objectBytes);

    [Benchmark(Description = "decode the pod from its bytes, what the checks read (webhook)")]
    public object DecodeForChecks() => WorkloadDecoder.DecodeForChecks("Pod", _objectBytes);

    [Benchmark(Description = "scan the body once (Utf8JsonReader)")]
    public int Scan()
    {
        var reader = new Utf8JsonReader(_body);
        var tokens = 0;
        while (reader.Read())
        {
            tokens++;
        }

        return tokens;
    }

    [Benchmark(Description = "evaluate (default policy)")]
    public int Evaluate() => _evaluator.Evaluate(_target, EvaluationContext.Offline).Violations.Count;

    [Benchmark(Description = "whole: read, handle, write the answer")]
    public int Whole()
    {
        using var request = AdmissionReviewReader.ReadRequest(Fresh()).Request!;
        var writer = new ArrayBufferWriter<byte>(1024);
        _handler.Handle(request).Response.WriteReview(writer, request.ApiVersion, request.Uid);
        return writer.WrittenCount;
    }

    /// <summary>The body as received: the reader cuts managedFields out of its buffer in place, as the webhook's is.</summary>
    private Memory<byte> Fresh()
    {
        _body.CopyTo(_scratch, 0);
        return _scratch;
    }
}

internal static class JsonElementExtensions
{
    public static int GetArrayLength_OrZero(this JsonElement element) => element.ValueKind == JsonValueKind.Array ? element.GetArrayLength() : 0;
}
