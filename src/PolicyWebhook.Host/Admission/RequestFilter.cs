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
        return request => Judges(request) ? next(request) : AdmissionOutcome.Skip;
    }

    /// <summary>True for a request this webhook judges: a CREATE or UPDATE of a kind that carries a pod spec, or kubectl debug.</summary>
    public static bool Judges(AdmissionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Operation is "CREATE" or "UPDATE"
            && WorkloadDecoder.IsWorkload(request.ApiGroupVersion, request.Kind)
            && (request.SubResource.Length == 0 || IsEphemeralContainers(request))
            && request.HasObject;
    }

    internal static bool IsEphemeralContainers(AdmissionRequest request) =>
        request.SubResource == "ephemeralcontainers" && request.Kind == "Pod";
}
