using System.Text.Json;
using Microsoft.Extensions.Options;
using PolicyWebhook.Host.Policies;
using PolicyWebhook.Policies;
using PolicyWebhook.Policies.Resources;
using PolicyWebhook.Policies.Validation;

namespace PolicyWebhook.Host.Admission;

/// <summary>
/// <c>/validate-policy</c>: checks ClusterPolicy, Policy and PolicyException objects on create and update with the
/// same rules the loader uses, so <c>kubectl apply</c> of a broken policy fails at once with every field error.
/// </summary>
public sealed class PolicyValidationHandler(IOptions<AdmissionOptions> options, TimeProvider time, IPolicySource policies)
{
    private static readonly PolicyValidator Policies = new();

    private readonly AdmissionOptions _options = options.Value;

    public AdmissionOutcome Handle(AdmissionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Group != PolicyApi.Group || request.Operation is not ("CREATE" or "UPDATE") || !request.HasObject
            || request.SubResource.Length > 0
            || request.Kind is not (ClusterPolicy.KindName or Policy.KindName or PolicyException.KindName))
        {
            return AdmissionOutcome.Skip;
        }

        IReadOnlyList<string> problems;
        IReadOnlyList<string> warnings = [];
        try
        {
            problems = request.Kind == PolicyException.KindName ? ValidateException(request, out warnings) : ValidatePolicy(request);
        }
        catch (JsonException e)
        {
            var field = e.Path is { Length: > 2 } path ? JsonErrors.FieldPath(path) : "(object)";
            problems = [$"{field}: {JsonErrors.Describe(e)}"];
        }

        if (problems.Count == 0)
        {
            return new AdmissionOutcome(warnings.Count == 0 ? AdmissionResponse.Allow : new AdmissionResponse { Allowed = true, Warnings = warnings }, Decisions.Allowed, []);
        }

        var message = $"{request.Kind} \"{request.Name}\" is not valid:\n- " + string.Join("\n- ", problems);
        return new AdmissionOutcome(AdmissionResponse.Deny(StatusCodes.Status422UnprocessableEntity, "Invalid", message), Decisions.Denied, []);
    }

    private static IReadOnlyList<string> ValidatePolicy(AdmissionRequest request)
    {
        PolicyResource? policy = request.Kind == ClusterPolicy.KindName
            ? JsonSerializer.Deserialize<ClusterPolicy>(request.ObjectJson.Span, PolicyLoader.JsonOptions)
            : JsonSerializer.Deserialize<Policy>(request.ObjectJson.Span, PolicyLoader.JsonOptions);
        return policy is null ? ["(object): empty"] : PolicyValidator.Describe(Policies.Validate(policy));
    }

    private IReadOnlyList<string> ValidateException(AdmissionRequest request, out IReadOnlyList<string> warnings)
    {
        warnings = [];
        var exception = JsonSerializer.Deserialize<PolicyException>(request.ObjectJson.Span, PolicyLoader.JsonOptions);
        if (exception is null)
        {
            return ["(object): empty"];
        }

        // A new or re-dated exception must not be expired already; an old one being relabelled may be.
        var redated = request.Operation == "CREATE" || ExpiresAt(request.OldObject) != exception.Spec.ExpiresAt;
        var validator = new PolicyExceptionValidator(Engine.Checks.CheckRegistry.Default, _options.ExceptionMaxLifetime, time, rejectExpired: redated);
        var problems = PolicyValidator.Describe(validator.Validate(exception));
        if (problems.Count == 0)
        {
            warnings = Unmatched(exception);
        }

        return problems;
    }

    /// <summary>
    /// Warnings for an exception that would waive nothing: its policy is not loaded, or does not run a check it
    /// names. Not errors: the policy may be applied next, in the same kubectl apply.
    /// </summary>
    private List<string> Unmatched(PolicyException exception)
    {
        var warnings = new List<string>();
        if (policies.Current is not { } snapshot)
        {
            return warnings;
        }

        var target = PolicyCompiler.Compile(exception).Policy;
        var policy = snapshot.Policies.FirstOrDefault(p => p.Reference == target);
        if (policy is null)
        {
            warnings.Add($"{target} is not loaded: this exception waives nothing until it is");
            return warnings;
        }

        foreach (var check in exception.Spec.Checks ?? [])
        {
            if (!policy.Plan.Any(c => c.Id == check))
            {
                warnings.Add($"{target} does not run check {check}: waiving it changes nothing");
            }
        }

        return warnings;
    }

    private static string? ExpiresAt(JsonElement old) =>
        old.ValueKind == JsonValueKind.Object && old.TryGetProperty("spec", out var spec) && spec.ValueKind == JsonValueKind.Object
        && spec.TryGetProperty("expiresAt", out var expiresAt) && expiresAt.ValueKind == JsonValueKind.String
            ? AdmittedObject.TryGetString(expiresAt)
            : null;
}
