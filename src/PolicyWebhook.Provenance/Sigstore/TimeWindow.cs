namespace PolicyWebhook.Provenance.Sigstore;

/// <summary>
/// A trusted root's <c>validFor</c>: a closed interval (Sigstore's TimeRange includes its end), open-ended when
/// <see cref="End"/> is null.
/// </summary>
public sealed record TimeWindow(DateTimeOffset Start, DateTimeOffset? End)
{
    /// <summary>True when <paramref name="time"/> lies within the window, both ends included.</summary>
    public bool Contains(DateTimeOffset time) => time >= Start && (End is null || time <= End.Value);

    public override string ToString() => $"{Start:u} to {(End is null ? "no end" : End.Value.ToString("u", System.Globalization.CultureInfo.InvariantCulture))}";

    internal static TimeWindow? From(TimeRangeJson? range) =>
        range?.Start is { } start ? new TimeWindow(start, range.End) : null;
}
