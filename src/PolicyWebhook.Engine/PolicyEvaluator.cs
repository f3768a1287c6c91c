using k8s;
using k8s.Models;
using PolicyWebhook.Engine.Evaluation;
using PolicyWebhook.Engine.Exceptions;
using PolicyWebhook.Engine.Workloads;

namespace PolicyWebhook.Engine;

/// <summary>
/// Evaluates objects against a fixed set of compiled policies. Every matching policy runs; any Enforce violation
/// denies. Holds no mutable state, so one instance serves every request at once.
/// </summary>
public sealed class PolicyEvaluator
{
    public PolicyEvaluator(IReadOnlyList<CompiledPolicy> policies, IReadOnlyList<CompiledException>? exceptions = null)
    {
        ArgumentNullException.ThrowIfNull(policies);
        Policies = policies;
        Exceptions = exceptions ?? [];
    }

    public IReadOnlyList<CompiledPolicy> Policies { get; }

    /// <summary>The policy exceptions in force, expired ones included: expiry is judged at each evaluation.</summary>
    public IReadOnlyList<CompiledException> Exceptions { get; }

    /// <summary>Evaluates an object; null when it carries no pod spec (it is then not this engine's business).</summary>
    public EvaluationResult? Evaluate(IKubernetesObject<V1ObjectMeta> obj, EvaluationContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(obj);
        context ??= EvaluationContext.Offline;
        return PodSpecLocator.TryLocate(obj, context.DefaultNamespace, out var target) ? Evaluate(target, context) : null;
    }

    /// <summary>Evaluates a located pod spec against every policy that applies to it.</summary>
    public EvaluationResult Evaluate(WorkloadTarget target, EvaluationContext context)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(context);
        var findings = new Findings();
        var applied = 0;
        foreach (var policy in Policies)
        {
            if (!policy.Applies(target, context))
            {
                continue;
            }

            applied++;
            var pod = new PodView(target.Spec, target.PodMetadata, target.SpecPath, target.MetadataPath, policy.Exclude.Images, target.Kind)
            {
                ImageFacts = context.ImageFacts,
                Now = context.Now,
            };
            var plan = policy.Plan;
            for (var i = 0; i < plan.Count; i++)
            {
                var check = plan[i];
                findings.Begin(policy.Reference, check.Id, check.Mode);
                check.Evaluate(pod, findings);
            }
        }

        var violations = findings.Violations;
        List<WaivedViolation>? waived = null;
        if (Exceptions.Count > 0 && violations.Count > 0)
        {
            (violations, waived) = Waive(violations, target, context.Now);
        }

        return new EvaluationResult(target.Kind, target.Name, target.Namespace, violations, applied, findings.Omitted, findings.OmittedEnforce)
        {
            Waived = waived ?? [],
        };
    }

    private (IReadOnlyList<Violation> Kept, List<WaivedViolation>? Waived) Waive(IReadOnlyList<Violation> violations, WorkloadTarget target, DateTimeOffset now)
    {
        var selecting = Exceptions.Where(e => e.Selects(target, now)).ToList();
        if (selecting.Count == 0)
        {
            return (violations, null);
        }

        var kept = new List<Violation>(violations.Count);
        var waived = new List<WaivedViolation>();
        foreach (var violation in violations)
        {
            var by = selecting.Find(e => e.Waives(violation, target));
            if (by is null)
            {
                kept.Add(violation);
            }
            else
            {
                waived.Add(new WaivedViolation(violation, by.Reference));
            }
        }

        return (kept, waived);
    }
}
