namespace PolicyWebhook.Host.Admission;

/// <summary>
/// Allows every request in an exempt namespace: kube-system and the webhook's own by default, so that the webhook
/// can never lock out its own recovery.
/// </summary>
public static class ExemptNamespaces
{
    private static readonly AdmissionOutcome Exempt = new(AdmissionResponse.Allow, Decisions.Exempt, []);

    public static AdmissionHandler Wrap(AdmissionHandler next, IReadOnlySet<string> exempt)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(exempt);
        return request => request.Namespace is { } ns && exempt.Contains(ns) ? Exempt : next(request);
    }
}
