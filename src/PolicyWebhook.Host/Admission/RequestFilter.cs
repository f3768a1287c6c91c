using PolicyWebhook.Engine.Workloads;

namespace PolicyWebhook.Host.Admission;

/// <summary>
/// Lets through, untouched, what is not this webhook's business: DELETE and CONNECT, kinds that carry no pod spec,
/// and subresources other than <c>pods/ephemeralcontainers</c>.
/// </summary>
public static class RequestFilter
{
    public static AdmissionHandler Wrap(AdmissionHandler next)
    {
        ArgumentNullException.ThrowIfNull(next);
        return request =>
        {
            if (request.Operation is not ("CREATE" or "UPDATE")
                || !WorkloadDecoder.IsWorkload(request.ApiGroupVersion, request.Kind)
                || (request.SubResource.Length > 0 && !IsEphemeralContainers(request))
                || !request.HasObject)
            {
                return AdmissionOutcome.Skip;
            }

            return next(request);
        };
    }

    internal static bool IsEphemeralContainers(AdmissionRequest request) =>
        request.SubResource == "ephemeralcontainers" && request.Kind == "Pod";
}
