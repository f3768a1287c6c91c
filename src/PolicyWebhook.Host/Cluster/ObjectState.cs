using PolicyWebhook.Policies.Resources;

namespace PolicyWebhook.Host.Cluster;

/// <summary>One policy resource as the last snapshot judged it: where it is, which generation, its status, its problems.</summary>
public sealed record ObjectState(
    string Kind, string Plural, string? Namespace, string Name, long Generation, ResourceStatus? Status, IReadOnlyList<string> Problems, DateTimeOffset? ExpiresAt = null)
{
    /// <summary>
    /// The Ready condition this resource should show at <paramref name="now"/>: True when in force; False with
    /// every problem when invalid; False once an exception has expired.
    /// </summary>
    public (string Status, string Reason, string Message) DesiredAt(DateTimeOffset now) =>
        Problems.Count > 0 ? ("False", "Invalid", "Not in force: " + string.Join("; ", Problems))
        : ExpiresAt is { } expiry && now >= expiry ? ("False", "Expired", $"Expired at {expiry:yyyy-MM-ddTHH:mm:ssZ}; it no longer applies.")
        : ("True", "Valid", "In force.");

    /// <summary>The Ready condition as the object shows it now; null when it has none.</summary>
    public StatusCondition? Ready => Status?.Conditions?.Find(c => c.Type == "Ready");

    /// <summary>True when the status already says what <see cref="DesiredAt"/> says, for this generation.</summary>
    public bool StatusIsCurrentAt(DateTimeOffset now)
    {
        var ready = Ready;
        var (status, reason, message) = DesiredAt(now);
        return ready is not null && Status!.ObservedGeneration == Generation && ready.Status == status && ready.Reason == reason && ready.Message == message;
    }
}
