using Microsoft.Extensions.Options;
using PolicyWebhook.Host.Telemetry;

namespace PolicyWebhook.Host.Admission;

/// <summary>
/// The two handlers with their decorators, composed once: tracing outside, then metrics, logging, the request
/// filter, the exempt namespaces and the guard against unreadable text, then the handler itself.
/// </summary>
public sealed class AdmissionPipeline
{
    public AdmissionPipeline(
        ValidatingHandler validating,
        MutatingHandler mutating,
        PolicyValidationHandler policyValidation,
        AdmissionMetrics metrics,
        IOptions<AdmissionOptions> options,
        ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(validating);
        ArgumentNullException.ThrowIfNull(mutating);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        var exempt = options.Value.EffectiveExemptNamespaces();
        var logger = loggers.CreateLogger("PolicyWebhook.Admission");
        Validate = Compose(validating.Handle, "validate");
        Mutate = Compose(mutating.Handle, "mutate");
        ArgumentNullException.ThrowIfNull(policyValidation);
        // Policies are not pods: no request filter and no exempt namespaces, the rest as for the others.
        ValidatePolicy = AdmissionTracing.Wrap(
            AdmissionMetering.Wrap(DecisionLogging.Wrap(UnreadableText.Wrap(policyValidation.Handle), logger, "validate-policy"), metrics, "validate-policy"),
            "validate-policy");
        ExemptNamespaces = exempt;

        AdmissionHandler Compose(AdmissionHandler handler, string webhook) =>
            AdmissionTracing.Wrap(
                AdmissionMetering.Wrap(
                    DecisionLogging.Wrap(
                        RequestFilter.Wrap(Admission.ExemptNamespaces.Wrap(UnreadableText.Wrap(handler), exempt)),
                        logger,
                        webhook),
                    metrics,
                    webhook),
                webhook);
    }

    public AdmissionHandler Validate { get; }

    public AdmissionHandler Mutate { get; }

    public AdmissionHandler ValidatePolicy { get; }

    public IReadOnlySet<string> ExemptNamespaces { get; }
}
