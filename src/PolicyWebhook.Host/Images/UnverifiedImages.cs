using PolicyWebhook.Host.Admission;
using PolicyWebhook.Provenance;

namespace PolicyWebhook.Host.Images;

/// <summary>
/// Records, as an audit annotation, the images a request was allowed with although no registry answered for them
/// (an entry with <c>onError: Allow</c>), so the audit log says which pods run unverified and why.
/// </summary>
public static class UnverifiedImages
{
    public const string AnnotationKey = "unverified-images";

    public static AdmissionOutcome Annotate(AdmissionOutcome outcome, GatheredImages? images)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        // Every image answered, the common case: nothing to list, nothing allocated.
        if (images is null || !outcome.Response.Allowed || images.All.All(f => f.Unavailable is null))
        {
            return outcome;
        }

        var value = string.Join("; ", images.All.Where(f => f.Unavailable is not null).Select(f => $"{f.Image}: {f.Unavailable}").Distinct(StringComparer.Ordinal));
        var annotations = new Dictionary<string, string>(outcome.Response.AuditAnnotations, StringComparer.Ordinal)
        {
            [AnnotationKey] = VerdictResponse.Shorten(value, VerdictResponse.AnnotationValueLength),
        };
        return outcome with { Response = outcome.Response with { AuditAnnotations = annotations } };
    }
}
