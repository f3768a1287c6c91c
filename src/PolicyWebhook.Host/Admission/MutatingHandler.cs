using System.Text.Json.Nodes;
using PolicyWebhook.Engine;
using PolicyWebhook.Engine.Mutation;
using PolicyWebhook.Engine.Workloads;
using PolicyWebhook.Host.Policies;

namespace PolicyWebhook.Host.Admission;

/// <summary>
/// <c>/mutate</c>: fills in what the matching policies' mutation defaults ask for on a copy of the object, and
/// answers the difference as a JSON Patch. Mutation is off unless a policy turns it on.
/// </summary>
public sealed class MutatingHandler(IPolicySource policies)
{
    public AdmissionOutcome Handle(AdmissionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (policies.Current is not { } snapshot)
        {
            return ValidatingHandler.NotReady;
        }

        var ephemeral = RequestFilter.IsEphemeralContainers(request);
        // A pod's spec is immutable but for a few fields, so an UPDATE of a pod is never mutated; a template may be.
        if (snapshot.Mutating.Count == 0
            || (!ephemeral && request.Operation == "UPDATE" && (request.Kind == "Pod" || AdmittedObject.PodSpecUnchanged(request))))
        {
            return AdmissionOutcome.Skip;
        }

        if (!AdmittedObject.TryLocate(request, out var target, out var invalid))
        {
            return invalid!;
        }

        var context = new EvaluationContext(request.Namespace ?? "default");
        var applicable = snapshot.Mutating.Where(p => p.Applies(target, context)).ToList();
        if (applicable.Count == 0)
        {
            return AdmissionOutcome.Skip;
        }

        var root = JsonNode.Parse(request.ObjectJson.Span, documentOptions: AdmissionRequest.Reading)!.AsObject();
        if (!PodSpecLocator.TryFindSpec(root, request.Kind, out var spec))
        {
            return AdmissionOutcome.Skip;
        }

        var original = spec.DeepClone();
        var scope = ephemeral ? MutationScope.EphemeralContainers : MutationScope.Pod;
        var onlyNames = ephemeral ? AdmittedObject.NewEphemeralContainers(request) : null;
        foreach (var policy in applicable)
        {
            PodMutator.Apply(spec, policy.Mutation!, scope, onlyNames);
        }

        var patch = JsonPatchDiff.Diff(original, spec, PodSpecLocator.SpecPointer(request.Kind));
        return patch.Count == 0
            ? new AdmissionOutcome(AdmissionResponse.Allow, Decisions.Allowed, [])
            : new AdmissionOutcome(new AdmissionResponse { Allowed = true, Patch = JsonPatchDiff.ToUtf8(patch) }, Decisions.Mutated, []);
    }
}
