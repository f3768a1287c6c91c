using Microsoft.Extensions.Options;
using PolicyWebhook.Engine;
using PolicyWebhook.Host.Policies;

namespace PolicyWebhook.Host.Admission;

/// <summary>
/// <c>/validate</c>: translates the request, asks the engine, and maps its verdict to an answer. An UPDATE that
/// leaves the pod spec alone is allowed; a <c>kubectl debug</c> is judged on the containers it adds.
/// </summary>
public sealed class ValidatingHandler(IPolicySource policies, IOptions<AdmissionOptions> options)
{
    private readonly AdmissionOptions _options = options.Value;
    private readonly IReadOnlySet<string> _exempt = options.Value.EffectiveExemptNamespaces();

    public AdmissionOutcome Handle(AdmissionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (policies.Current is not { } snapshot)
        {
            return NotReady(policies);
        }

        var ephemeral = RequestFilter.IsEphemeralContainers(request);
        if (!ephemeral && AdmittedObject.PodSpecUnchanged(request))
        {
            return AdmissionOutcome.Skip;
        }

        if (!AdmittedObject.TryLocate(request, out var target, out var invalid))
        {
            return invalid!;
        }

        var context = new EvaluationContext(request.Namespace ?? "default", snapshot.LabelsOf(request.Namespace)) { ImageFacts = request.Images };
        var result = snapshot.Evaluator.Evaluate(target, context);
        if (ephemeral)
        {
            result = OnlyAddedEphemeralContainers(result, request);
        }

        return Images.UnverifiedImages.Annotate(IsolationWarning.Add(VerdictResponse.From(result, _options), request, snapshot, _exempt), request.Images);
    }

    /// <summary>Answers while no policy set has loaded: closed, as the API server's failurePolicy Fail would be.</summary>
    internal static AdmissionOutcome NotReady(IPolicySource policies)
    {
        var problems = policies.Problems;
        var message = problems.Count == 0
            ? "PolicyWebhook has not loaded its policies yet; try again shortly"
            : $"PolicyWebhook has no valid policy set, so it admits nothing outside its exempt namespaces; an operator must fix: {problems[0]}"
                + (problems.Count > 1 ? $" (and {problems.Count - 1} more problems; see the webhook's /readyz)" : string.Empty);
        return new AdmissionOutcome(AdmissionResponse.Deny(StatusCodes.Status503ServiceUnavailable, "ServiceUnavailable", message), Decisions.Unavailable, []);
    }

    /// <summary>Keeps the violations of the ephemeral containers this request adds: the rest of the pod was judged when it was created.</summary>
    private static EvaluationResult OnlyAddedEphemeralContainers(EvaluationResult result, AdmissionRequest request)
    {
        var prefixes = AdmittedObject.NewEphemeralContainerIndices(request).ConvertAll(i => $"spec.ephemeralContainers[{i}]");
        bool InAdded(string path) => prefixes.Exists(p => path.StartsWith(p, StringComparison.Ordinal) && (path.Length == p.Length || path[p.Length] == '.'));
        return new EvaluationResult(result.Kind, result.Name, result.Namespace, [.. result.Violations.Where(v => InAdded(v.Path))], result.PoliciesApplied, result.Omitted, result.OmittedEnforce)
        {
            Waived = [.. result.Waived.Where(w => InAdded(w.Violation.Path))],
        };
    }
}
