using PolicyWebhook.Engine.Evaluation;
using PolicyWebhook.Engine.Matching;

namespace PolicyWebhook.Engine.Checks;

/// <summary>
/// A site's allowed seccomp or AppArmor profiles: <c>RuntimeDefault</c>, <c>Unconfined</c>, <c>Localhost</c> (any local
/// profile), <c>localhost/NAME</c> for named local profiles (<c>*</c> for any run of characters), or <c>*</c> for all.
/// </summary>
public sealed class AllowedProfiles
{
    private readonly HashSet<string> _types;
    private readonly GlobSet _localhost;

    public AllowedProfiles(IReadOnlyList<string> allowed)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        Entries = allowed;
        _types = allowed.Where(a => !a.StartsWith("localhost/", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        _localhost = new GlobSet(allowed.Where(a => a.StartsWith("localhost/", StringComparison.Ordinal)));
    }

    public IReadOnlyList<string> Entries { get; }

    /// <summary>How a profile is written in messages and matched: its type, or <c>localhost/NAME</c> for a local one.</summary>
    public static string Show(string type, string? localhostProfile) =>
        type == "Localhost" && !string.IsNullOrEmpty(localhostProfile) ? "localhost/" + localhostProfile : type;

    public bool Allows(string type, string? localhostProfile) =>
        _types.Contains("*") || _types.Contains(type)
        || (type == "Localhost" && !string.IsNullOrEmpty(localhostProfile) && _localhost.Matches("localhost/" + localhostProfile));

    /// <summary>Judges the pod's profile and each container's (which overrides it); <paramref name="requireSet"/> asks every container for one.</summary>
    internal void Judge(PodView pod, Findings findings, string field, (string? Type, string? Localhost)? podProfile, Func<ContainerView, (string? Type, string? Localhost)?> containerProfile, bool requireSet)
    {
        var allowedText = Text.QuoteAll(Entries);
        if (podProfile is { Type: { } podType } p && !Allows(podType, p.Localhost))
        {
            var shown = Show(podType, p.Localhost);
            findings.Add(pod.PathOf($"securityContext.{field}"), $"pod must not use {field} {Text.Quote(shown)} (allowed: {allowedText})", shown, "one of " + allowedText);
        }

        foreach (var container in pod.Containers)
        {
            if (containerProfile(container) is { Type: { } type } c)
            {
                if (!Allows(type, c.Localhost))
                {
                    var shown = Show(type, c.Localhost);
                    findings.Add(container.PathOf($"securityContext.{field}"), $"{container.Subject} must not use {field} {Text.Quote(shown)} (allowed: {allowedText})", shown, "one of " + allowedText);
                }
            }
            else if (requireSet && podProfile?.Type is null)
            {
                findings.Add(container.PathOf($"securityContext.{field}.type"), $"{container.Subject} must set {field} (or the pod must), one of {allowedText}", "unset", "one of " + allowedText);
            }
        }
    }
}
