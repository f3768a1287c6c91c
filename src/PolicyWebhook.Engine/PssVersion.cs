using System.Globalization;

namespace PolicyWebhook.Engine;

/// <summary>A Pod Security Standards version, <c>v1.N</c>, or <c>latest</c>.</summary>
public readonly record struct PssVersion : IComparable<PssVersion>
{
    /// <summary>
    /// The newest minor version whose policy this engine knows, and what <c>latest</c> means. Newer minors behave like
    /// it, as in Pod Security Admission. v1.36 added no check version upstream, so its table is v1.35's.
    /// </summary>
    public const int NewestKnownMinor = 36;

    public static readonly PssVersion Latest = new(int.MaxValue);

    private PssVersion(int minor) => Minor = minor;

    /// <summary>The minor version; <see cref="int.MaxValue"/> for <c>latest</c>.</summary>
    public int Minor { get; }

    public bool IsLatest => Minor == int.MaxValue;

    /// <summary>The minor version whose rules apply: <c>latest</c> and versions past the newest known one resolve to the newest known.</summary>
    public int EffectiveMinor => Math.Min(Minor, NewestKnownMinor);

    public static PssVersion Of(int minor) =>
        minor < 0 ? throw new ArgumentOutOfRangeException(nameof(minor)) : new PssVersion(minor);

    /// <summary>Parses <c>latest</c> or <c>v1.N</c> (the form Pod Security Admission's namespace labels use).</summary>
    public static bool TryParse(string? text, out PssVersion version)
    {
        version = Latest;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        if (text == "latest")
        {
            return true;
        }

        if (!text.StartsWith("v1.", StringComparison.Ordinal))
        {
            return false;
        }

        var minorText = text.AsSpan(3);
        if (minorText.Length is 0 or > 4 || (minorText.Length > 1 && minorText[0] == '0'))
        {
            return false;
        }

        foreach (var c in minorText)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        version = new PssVersion(int.Parse(minorText, NumberStyles.None, CultureInfo.InvariantCulture));
        return true;
    }

    public static PssVersion Parse(string text) =>
        TryParse(text, out var version) ? version : throw new FormatException($"\"{text}\" is not a Pod Security Standards version (use \"latest\" or \"v1.N\", such as \"v1.35\")");

    public int CompareTo(PssVersion other) => Minor.CompareTo(other.Minor);

    public static bool operator <(PssVersion left, PssVersion right) => left.Minor < right.Minor;

    public static bool operator >(PssVersion left, PssVersion right) => left.Minor > right.Minor;

    public static bool operator <=(PssVersion left, PssVersion right) => left.Minor <= right.Minor;

    public static bool operator >=(PssVersion left, PssVersion right) => left.Minor >= right.Minor;

    public override string ToString() => IsLatest ? "latest" : string.Create(CultureInfo.InvariantCulture, $"v1.{Minor}");
}
