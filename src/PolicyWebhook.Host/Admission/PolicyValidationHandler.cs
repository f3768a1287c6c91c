using System.Text.Json;
using Microsoft.Extensions.Options;
using PolicyWebhook.Policies;
using PolicyWebhook.Policies.Resources;
using PolicyWebhook.Policies.Validation;

namespace PolicyWebhook.Host.Admission;

/// <summary>
/// <c>/validate-policy</c>: checks ClusterPolicy, Policy and PolicyException objects on create and update with the
/// same rules the loader uses, so <c>kubectl apply</c> of a broken policy fails at once with every field error.
/// </summary>
public sealed class PolicyValidationHandler(IOptions<AdmissionOptions> options, TimeProvider time)
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
        try
        {
            problems = request.Kind == PolicyException.KindName ? ValidateException(request) : ValidatePolicy(request);
        }
        catch (JsonException e)
        {
            var field = e.Path is { Length: > 2 } path ? JsonErrors.FieldPath(path) : "(object)";
            problems = [$"{field}: {JsonErrors.Describe(e)}"];
        }

        if (problems.Count == 0)
        {
            return new AdmissionOutcome(AdmissionResponse.Allow, Decisions.Allowed, []);
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

    private IReadOnlyList<string> ValidateException(AdmissionRequest request)
    {
        var exception = JsonSerializer.Deserialize<PolicyException>(request.ObjectJson.Span, PolicyLoader.JsonOptions);
        if (exception is null)
        {
            return ["(object): empty"];
        }

        // A new or re-dated exception must not be expired already; an old one being relabelled may be.
        var redated = request.Operation == "CREATE" || ExpiresAt(request.OldObject) != exception.Spec.ExpiresAt;
        var validator = new PolicyExceptionValidator(Engine.Checks.CheckRegistry.Default, _options.ExceptionMaxLifetime, time, rejectExpired: redated);
        return PolicyValidator.Describe(validator.Validate(exception));
    }

    private static string? ExpiresAt(JsonElement old) =>
        old.ValueKind == JsonValueKind.Object && old.TryGetProperty("spec", out var spec) && spec.ValueKind == JsonValueKind.Object
        && spec.TryGetProperty("expiresAt", out var expiresAt) && expiresAt.ValueKind == JsonValueKind.String
            ? AdmittedObject.TryGetString(expiresAt)
            : null;
}
