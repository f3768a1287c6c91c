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

    private const int ValueLength = 1000;

    public static AdmissionOutcome Annotate(AdmissionOutcome outcome, GatheredImages? images)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        // Every image answered, the common case: nothing to list, nothing allocated.
        if (images is null || !outcome.Response.Allowed || images.All.All(f => f.Unavailable is null))
        {
            return outcome;
        }

        var unverified = images.All.Where(f => f.Unavailable is not null).Select(f => $"{f.Image}: {f.Unavailable}").Distinct(StringComparer.Ordinal).ToList();
        if (unverified.Count == 0)
        {
            return outcome;
        }

        var value = string.Join("; ", unverified);
        var response = outcome.Response;
        var annotations = new Dictionary<string, string>(response.AuditAnnotations, StringComparer.Ordinal)
        {
            [AnnotationKey] = value.Length <= ValueLength ? value : string.Concat(value.AsSpan(0, ValueLength - 3), "..."),
        };
        return outcome with
        {
            Response = new AdmissionResponse
            {
                Allowed = response.Allowed,
                Code = response.Code,
                Reason = response.Reason,
                Message = response.Message,
                Warnings = response.Warnings,
                AuditAnnotations = annotations,
                Patch = response.Patch,
            },
        };
    }
}
