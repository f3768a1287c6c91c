using PolicyWebhook.Policies.Resources;

namespace PolicyWebhook.Host.Cluster;

/// <summary>One policy resource as the last snapshot judged it: where it is, which generation, its status, its problems.</summary>
public sealed record ObjectState(string Kind, string Plural, string? Namespace, string Name, long Generation, ResourceStatus? Status, IReadOnlyList<string> Problems)
{
    /// <summary>The Ready condition this resource should show: True when in force, False with every problem when not.</summary>
    public (string Status, string Reason, string Message) Desired =>
        Problems.Count == 0
            ? ("True", "Valid", "In force.")
            : ("False", "Invalid", "Not in force: " + string.Join("; ", Problems));

    /// <summary>True when the status already says what <see cref="Desired"/> says, for this generation.</summary>
    public bool StatusIsCurrent
    {
        get
        {
            var ready = Status?.Conditions?.Find(c => c.Type == "Ready");
            var (status, reason, message) = Desired;
            return ready is not null && Status!.ObservedGeneration == Generation && ready.Status == status && ready.Reason == reason && ready.Message == message;
        }
    }
}
