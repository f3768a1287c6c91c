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
            return ValidatingHandler.NotReady(policies);
        }

        var ephemeral = RequestFilter.IsEphemeralContainers(request);
        // Verified images are pinned to their digests, those of new ephemeral containers (kubectl debug) too. A Pod's
        // UPDATE may change its images (kubectl set image) though nothing else: those are pinned, nothing is filled in.
        var pins = request.Images?.Pins;
        var mutable = ephemeral || Mutable(request);
        var pinOnly = !mutable && pins is { Count: > 0 } && request is { Kind: "Pod", Operation: "UPDATE" };
        if ((snapshot.Mutating.Count == 0 && pins is not { Count: > 0 }) || (!mutable && !pinOnly))
        {
            return AdmissionOutcome.Skip;
        }

        if (!AdmittedObject.TryLocate(request, out var target, out var invalid))
        {
            return invalid!;
        }

        var context = new EvaluationContext(request.Namespace ?? "default", snapshot.LabelsOf(request.Namespace));
        var applicable = pinOnly ? [] : snapshot.Mutating.Where(p => p.Applies(target, context)).ToList();
        if (applicable.Count == 0 && pins is not { Count: > 0 })
        {
            return AdmissionOutcome.Skip;
        }

        JsonObject root, spec;
        JsonNode original;
        try
        {
            root = JsonNode.Parse(request.ObjectJson.Span, documentOptions: AdmissionRequest.Reading)!.AsObject();
            if (!PodSpecLocator.TryFindSpec(root, request.Kind, out spec))
            {
                return AdmissionOutcome.Skip;
            }

            original = spec.DeepClone();
            var scope = ephemeral ? MutationScope.EphemeralContainers : MutationScope.Pod;
            var onlyNames = ephemeral ? AdmittedObject.NewEphemeralContainers(request) : null;
            foreach (var policy in applicable)
            {
                PodMutator.Apply(spec, policy.Mutation!, scope, onlyNames);
            }

            if (pins is not null)
            {
                ImagePins.Apply(spec, pins, onlyNames);
            }
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or FormatException)
        {
            return AdmittedObject.Invalid(request, $"a field holds a value that cannot be read ({e.GetType().Name})");
        }

        var patch = JsonPatchDiff.Diff(original, spec, PodSpecLocator.SpecPointer(request.Kind));
        // ReadOnlyMemory slices and JsonNode trees are dropped here; nothing of the object outlives the request.
        return patch.Count == 0
            ? new AdmissionOutcome(AdmissionResponse.Allow, Decisions.Allowed, [])
            : new AdmissionOutcome(new AdmissionResponse { Allowed = true, Patch = JsonPatchDiff.ToUtf8(patch) }, Decisions.Mutated, []);
    }

    /// <summary>
    /// Whether a patch to the pod spec would be accepted and would not fight a controller. Never: an UPDATE of a Pod
    /// or a Job (their pod spec is immutable), an UPDATE that leaves the pod spec alone, or a template owned by a
    /// controller (a ReplicaSet of a Deployment, a Job of a CronJob), whose owner would see a changed template.
    /// </summary>
    private static bool Mutable(AdmissionRequest request)
    {
        if (request.Operation == "UPDATE" && (request.Kind is "Pod" or "Job" || AdmittedObject.PodSpecUnchanged(request)))
        {
            return false;
        }

        return request.Kind == "Pod" || !AdmittedObject.HasControllerOwner(request);
    }
}
