using Microsoft.Extensions.Options;
using PolicyWebhook.Engine;
using PolicyWebhook.Host.Admission;
using PolicyWebhook.Host.Policies;
using PolicyWebhook.Provenance;

namespace PolicyWebhook.Host.Images;

/// <summary>
/// Runs before <c>/validate</c> and <c>/mutate</c> when a policy verifies images: gathers, within the request's
/// deadline, what registries say of the images the request's pod spec names, for the engine to judge and the mutator
/// to pin. Everything else (no such policy, an exempt namespace, a request the handlers skip) costs nothing.
/// </summary>
public sealed partial class ImageVerificationStep(
    IPolicySource policies,
    ImageFactsGatherer gatherer,
    IOptions<ImageVerificationSettings> settings,
    IOptions<AdmissionOptions> admission,
    ILogger<ImageVerificationStep> logger)
{
    private readonly IReadOnlySet<string> _exempt = admission.Value.EffectiveExemptNamespaces();

    public Task PrepareAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);

        // Nothing gathered, rather than no gathering at all: should the handler meet a policy set that verifies images
        // where this step met none (a policy applied between the two), a covered image is "not verified" and denied.
        request.Images = GatheredImages.None;
        // What the handlers would skip (RequestFilter, the exempt namespaces, an UPDATE leaving the pod spec alone) costs nothing.
        if (policies.Current is not { Verifying.Count: > 0 } snapshot
            || !RequestFilter.Judges(request)
            || (request.Namespace is { } ns && _exempt.Contains(ns))
            || (!RequestFilter.IsEphemeralContainers(request) && AdmittedObject.PodSpecUnchanged(request)))
        {
            return Task.CompletedTask;
        }

        // An object that cannot be decoded is answered 400 by the handler; there is nothing to verify.
        if (!AdmittedObject.TryLocate(request, out var target, out _))
        {
            return Task.CompletedTask;
        }

        var context = new EvaluationContext(request.Namespace ?? "default", snapshot.LabelsOf(request.Namespace));
        var work = ImageFactsGatherer.WorkFor(snapshot.Verifying, target, context);
        return work.Count == 0 ? Task.CompletedTask : GatherAsync(request, work, cancellationToken);
    }

    private async Task GatherAsync(AdmissionRequest request, IReadOnlyList<(Engine.Images.ImageVerificationEntry Entry, string Image)> work, CancellationToken cancellationToken)
    {
        // Read now: a round this request starts may finish, and tell of a failure, after the request has been answered.
        var (uid, kind, ns, name) = (request.Uid, request.Kind, request.Namespace ?? string.Empty, request.Name ?? string.Empty);
        var images = await gatherer.GatherAsync(
            work,
            settings.Value.BudgetFor(request.Timeout),
            (image, e) => LogFailed(logger, uid, kind, ns, name, image, e.GetType().FullName ?? e.GetType().Name, Trace(e)),
            cancellationToken).ConfigureAwait(false);
        foreach (var facts in images.All)
        {
            if ((facts.Unavailable ?? facts.Failure) is { } why)
            {
                LogUnverified(logger, uid, kind, ns, name, facts.Image, why);
            }
        }

        request.Images = images;
    }

    // Types and stacks down to the innermost exception, never a message: one could quote a credential or a registry's answer.
    private static string Trace(Exception e)
    {
        var trace = new System.Text.StringBuilder();
        for (var current = e; current is not null; current = current.InnerException)
        {
            trace.Append(current == e ? string.Empty : " ---> ").Append(current.GetType().FullName).Append('\n').Append(current.StackTrace).Append('\n');
        }

        return trace.ToString();
    }

    [LoggerMessage(EventId = 41, Level = LogLevel.Error, Message = "Verifying image {Image} of request {Uid} ({Kind} {Namespace}/{Name}) failed unexpectedly: {ErrorType}\n{StackTrace}")]
    private static partial void LogFailed(ILogger logger, string uid, string kind, string Namespace, string name, string image, string errorType, string stackTrace);

    [LoggerMessage(EventId = 40, Level = LogLevel.Warning, Message = "Image {Image} of request {Uid} ({Kind} {Namespace}/{Name}) could not be verified: {Reason}")]
    private static partial void LogUnverified(ILogger logger, string uid, string kind, string Namespace, string name, string image, string reason);
}
