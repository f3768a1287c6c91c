using System.Buffers;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PolicyWebhook.Engine;
using PolicyWebhook.Engine.Workloads;
using PolicyWebhook.Host.Admission;
using PolicyWebhook.Host.Images;
using PolicyWebhook.Host.Policies;
using PolicyWebhook.Policies;
using PolicyWebhook.Provenance.Caching;
using PolicyWebhook.Tests.Shared;

namespace PolicyWebhook.Benchmarks;

/// <summary>
/// What an imageVerification rule adds to an admission once its cache holds the image: the real pod review of
/// <see cref="AdmissionBenchmarks"/>, its web container's image served by the local registry (shop/app:1.2), read,
/// prepared by the image verification step, handled and answered, with the built-in default policy alone and with it
/// plus a policy verifying that image's signature and scan.
/// </summary>
[MemoryDiagnoser]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet calls [GlobalCleanup], which disposes it, and never Dispose.")]
public class WarmVerificationBenchmarks
{
    private readonly RegistryServer _registry = new();
    private CountingGatherer? _fresh;
    private CountingGatherer? _keylessGatherer;
    private TestSigstore? _sigstore;
    private byte[] _body = null!;
    private byte[] _keylessBody = null!;
    private Pipeline _without = null!;
    private Pipeline _with = null!;
    private Pipeline _withKeyless = null!;

    [GlobalSetup]
    public void Setup()
    {
        _registry.InitializeAsync().AsTask().GetAwaiter().GetResult();
        var sample = File.ReadAllText(Path.Combine(Path.GetDirectoryName(RegistryServer.FixtureFolder)!, "..", "PolicyWebhook.Engine.Tests", "Samples", "pod-create.json"));
        var image = $"{_registry.Host}/shop/app:1.2";
        _body = System.Text.Encoding.UTF8.GetBytes(System.Text.Json.Nodes.JsonNode.Parse(sample.Replace("registry.example.com/shop/web:2.14.3", image, StringComparison.Ordinal))!.ToJsonString());

        var defaults = BuiltInPolicies.Default.Select(p => p.Compiled).ToList();
        var verifying = PolicyLoader.LoadText(Policy(_registry.Host), "benchmark").Single().Compiled;
        // Long lives, so no entry expires while BenchmarkDotNet measures: this is the warm path only.
        _fresh = new CountingGatherer(_registry.Host, new VerificationCacheOptions { SuccessTtl = TimeSpan.FromDays(1), TagTtl = TimeSpan.FromDays(1) });
        _without = new Pipeline(new PolicySnapshot(defaults, "built-in", DateTimeOffset.UnixEpoch), _fresh);
        _with = new Pipeline(new PolicySnapshot([.. defaults, verifying], "built-in and one verifying", DateTimeOffset.UnixEpoch), _fresh);

        // Fill the cache with one real round, and make sure what is measured is a verified image, not an error.
        using var first = AdmissionReviewReader.ReadRequest(_body.ToArray()).Request!;
        _with.Step.PrepareAsync(first, CancellationToken.None).GetAwaiter().GetResult();
        var facts = first.Images?.All.SingleOrDefault();
        if (facts is not { Unavailable: null, SignedBy.Count: 1, Attestations.Count: 1 } || first.Images!.Pins.Count != 1)
        {
            throw new InvalidOperationException($"{image} did not verify: {facts?.Unavailable}");
        }

        // The same review naming an image signed keylessly (legacy .sig tag) by a test Sigstore, under a keyless rule.
        _sigstore = new TestSigstore();
        var (keylessImage, _) = KeylessImages.PushLegacySignedAsync(_sigstore, _registry.Host, "keyless/legacy").GetAwaiter().GetResult();
        _keylessBody = System.Text.Encoding.UTF8.GetBytes(System.Text.Json.Nodes.JsonNode.Parse(sample.Replace("registry.example.com/shop/web:2.14.3", keylessImage, StringComparison.Ordinal))!.ToJsonString());
        _keylessGatherer = new CountingGatherer(
            _registry.Host,
            new VerificationCacheOptions { SuccessTtl = TimeSpan.FromDays(1), TagTtl = TimeSpan.FromDays(1) },
            [Provenance.Sigstore.TrustedRoot.Parse(_sigstore.TrustedRootJson)]);
        var keyless = PolicyLoader.LoadText(KeylessPolicy(_registry.Host), "benchmark").Single().Compiled;
        _withKeyless = new Pipeline(new PolicySnapshot([.. defaults, keyless], "built-in and one keyless", DateTimeOffset.UnixEpoch), _keylessGatherer);
        using var firstKeyless = AdmissionReviewReader.ReadRequest(_keylessBody.ToArray()).Request!;
        _withKeyless.Step.PrepareAsync(firstKeyless, CancellationToken.None).GetAwaiter().GetResult();
        if (firstKeyless.Images?.All.SingleOrDefault() is not { Unavailable: null, SignedBy.Count: 1 } || firstKeyless.Images!.Pins.Count != 1)
        {
            throw new InvalidOperationException($"{keylessImage} did not verify keylessly");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _fresh?.Dispose();
        _keylessGatherer?.Dispose();
        _sigstore?.Dispose();
        _registry.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true, Description = "default policy: read, prepare, handle, answer")]
    public Task<int> Without() => _without.RunAsync(_body);

    [Benchmark(Description = "default policy + imageVerification, cache warm")]
    public Task<int> With() => _with.RunAsync(_body);

    [Benchmark(Description = "default policy + keyless imageVerification, cache warm")]
    public Task<int> WithKeyless() => _withKeyless.RunAsync(_keylessBody);

    // The step used to decode the pod for itself, then the handler decoded it again: that second decode, put back.
    [Benchmark(Description = "the same, pod decoded twice (before the fix)")]
    public Task<int> WithSecondDecode() => _with.RunAsync(_body, decodeTwice: true);

    private static string KeylessPolicy(string registry) => $"""
        apiVersion: policywebhook.io/v1alpha1
        kind: ClusterPolicy
        metadata:
          name: verify-keyless
        spec:
          rules:
            imageVerification:
              entries:
                - images: ["{registry}/keyless/*"]
                  keyless:
                    - issuer: {TestSigstore.DefaultIssuer}
                      subject: {TestSigstore.DefaultSubject}
        """;

    private static string Policy(string registry)
    {
        string Key(string name, int indent) => string.Join("\n" + new string(' ', indent),
            File.ReadAllText(Path.Combine(RegistryServer.FixtureFolder, "keys", name, "cosign.pub")).TrimEnd().Split('\n'));
        return $"""
            apiVersion: policywebhook.io/v1alpha1
            kind: ClusterPolicy
            metadata:
              name: verify-shop
            spec:
              rules:
                imageVerification:
                  entries:
                    - images: ["{registry}/shop/*"]
                      keys:
                        - name: A
                          publicKey: |
                            {Key("A", 16)}
                      attestations:
                        vulnerabilities:
                          keys:
                            - name: S
                              publicKey: |
                                {Key("S", 20)}
                          maximumSeverity: HIGH
            """;
    }

    // What AdmissionEndpoints.HandleAsync does between reading the body and writing the answer.
    private sealed class Pipeline
    {
        private readonly ValidatingHandler _handler;

        public Pipeline(PolicySnapshot snapshot, CountingGatherer fresh)
        {
            var source = new FixedPolicySource(snapshot);
            var admission = Options.Create(new AdmissionOptions());
            _handler = new ValidatingHandler(source, admission);
            Step = new ImageVerificationStep(source, fresh.Gatherer, Options.Create(new ImageVerificationSettings()), admission, NullLogger<ImageVerificationStep>.Instance);
        }

        public ImageVerificationStep Step { get; }

        private byte[] _scratch = [];

        public async Task<int> RunAsync(byte[] body, bool decodeTwice = false)
        {
            // The body as received: the reader cuts managedFields out of its buffer in place, as the webhook's is.
            if (_scratch.Length != body.Length)
            {
                _scratch = new byte[body.Length];
            }

            body.CopyTo(_scratch, 0);
            using var request = AdmissionReviewReader.ReadRequest(_scratch).Request!;
            if (decodeTwice)
            {
                PodSpecLocator.TryLocate(WorkloadDecoder.Decode(request.Kind, request.ObjectJson.Span), request.Namespace ?? "default", out _);
            }

            await Step.PrepareAsync(request, CancellationToken.None).ConfigureAwait(false);
            var writer = new ArrayBufferWriter<byte>(1024);
            _handler.Handle(request).Response.WriteReview(writer, request.ApiVersion, request.Uid);
            return writer.WrittenCount;
        }
    }
}
