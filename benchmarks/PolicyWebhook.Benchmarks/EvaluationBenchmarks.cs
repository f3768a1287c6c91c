using BenchmarkDotNet.Attributes;
using k8s;
using k8s.Models;
using PolicyWebhook.Engine;
using PolicyWebhook.Engine.Workloads;
using PolicyWebhook.Policies;

namespace PolicyWebhook.Benchmarks;

/// <summary>
/// Evaluating one realistic pod (two containers, an init container, probes, env) against the built-in default
/// policy, from the parsed object to the verdict: the engine's share of an admission request.
/// </summary>
[MemoryDiagnoser]
public class EvaluationBenchmarks
{
    private const string CompliantPod = """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"shop","labels":{"app":"web"}},
         "spec":{"securityContext":{"runAsNonRoot":true,"runAsUser":10001,"seccompProfile":{"type":"RuntimeDefault"}},
          "initContainers":[{"name":"migrate","image":"ghcr.io/example/web:2.14.1","args":["migrate","--timeout=60s"],
            "env":[{"name":"DATABASE_URL","value":"postgres://db.shop.svc:5432/web"},{"name":"DATABASE_PASSWORD","valueFrom":{"secretKeyRef":{"name":"web-db","key":"password"}}}],
            "resources":{"requests":{"cpu":"50m","memory":"64Mi"},"limits":{"memory":"128Mi"}},
            "securityContext":{"allowPrivilegeEscalation":false,"readOnlyRootFilesystem":true,"capabilities":{"drop":["ALL"]}}}],
          "containers":[
           {"name":"app","image":"ghcr.io/example/web:2.14.1","ports":[{"containerPort":8080}],
            "env":[{"name":"LOG_LEVEL","value":"info"},{"name":"DATABASE_PASSWORD","valueFrom":{"secretKeyRef":{"name":"web-db","key":"password"}}},{"name":"POD_IP","valueFrom":{"fieldRef":{"fieldPath":"status.podIP"}}}],
            "resources":{"requests":{"cpu":"100m","memory":"128Mi"},"limits":{"memory":"256Mi"}},
            "readinessProbe":{"httpGet":{"path":"/ready","port":8080}},"livenessProbe":{"httpGet":{"path":"/healthz","port":8080}},
            "securityContext":{"allowPrivilegeEscalation":false,"readOnlyRootFilesystem":true,"capabilities":{"drop":["ALL"]}},
            "volumeMounts":[{"name":"tmp","mountPath":"/tmp"}]},
           {"name":"proxy","image":"ghcr.io/example/proxy:1.8.0","args":["--upstream=127.0.0.1:8080","--listen=:8443"],
            "resources":{"requests":{"cpu":"20m","memory":"32Mi"},"limits":{"memory":"64Mi"}},
            "readinessProbe":{"tcpSocket":{"port":8443}},
            "securityContext":{"allowPrivilegeEscalation":false,"readOnlyRootFilesystem":true,"capabilities":{"drop":["ALL"]}}}],
          "volumes":[{"name":"tmp","emptyDir":{}}]}}
        """;

    private PolicyEvaluator _evaluator = null!;
    private IKubernetesObject<V1ObjectMeta> _compliant = null!;
    private IKubernetesObject<V1ObjectMeta> _violating = null!;
    private EvaluationContext _context = null!;

    [GlobalSetup]
    public void Setup()
    {
        _evaluator = new PolicyEvaluator([.. BuiltInPolicies.Default.Select(p => p.Compiled)]);
        _context = new EvaluationContext("shop");
        _compliant = WorkloadDecoder.Decode("Pod", CompliantPod);
        var violating = (V1Pod)WorkloadDecoder.Decode("Pod", CompliantPod);
        violating.Spec.SecurityContext.RunAsNonRoot = null;
        violating.Spec.Containers[1].Image = "ghcr.io/example/proxy:latest";
        violating.Spec.Containers[0].Env[0].Value = "hunter2";
        violating.Spec.Containers[0].Env[0].Name = "ADMIN_PASSWORD";
        _violating = violating;
        if (!_evaluator.Evaluate(_compliant, _context)!.Allowed || _evaluator.Evaluate(_violating, _context)!.Violations.Count != 3)
        {
            throw new InvalidOperationException("benchmark pods do not give the expected verdicts");
        }
    }

    [Benchmark(Baseline = true, Description = "compliant pod, default policy")]
    public bool Compliant() => _evaluator.Evaluate(_compliant, _context)!.Allowed;

    // runAsNonRoot unset on the pod and on all three containers is one finding, at pod level; a mutable tag; a literal password.
    [Benchmark(Description = "pod with 3 violations, default policy")]
    public int Violating() => _evaluator.Evaluate(_violating, _context)!.Violations.Count;

    [Benchmark(Description = "decode JSON + evaluate (compliant)")]
    public bool DecodeAndEvaluate() => _evaluator.Evaluate(WorkloadDecoder.Decode("Pod", CompliantPod), _context)!.Allowed;
}
