using System.Globalization;

namespace PolicyWebhook.Policies;

/// <summary>A duration as policies write it: a whole number of minutes, hours or days (<c>30m</c>, <c>12h</c>, <c>7d</c>).</summary>
internal static class PolicyDuration
{
    // Ten years: enough for any age a policy means, and far inside what TimeSpan holds.
    private static readonly TimeSpan Longest = TimeSpan.FromDays(3650);

    /// <summary>True for a positive duration no longer than ten years.</summary>
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = default;
        if (text is not { Length: >= 2 and <= 12 } || !long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count <= 0)
        {
            return false;
        }

        var unit = text[^1] switch
        {
            'm' => TimeSpan.FromMinutes(1),
            'h' => TimeSpan.FromHours(1),
            'd' => TimeSpan.FromDays(1),
            _ => TimeSpan.Zero,
        };
        if (unit == TimeSpan.Zero || count > Longest / unit)
        {
            return false;
        }

        duration = unit * count;
        return true;
    }
}
