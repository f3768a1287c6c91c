namespace PolicyWebhook.Cel.Values;

/// <summary>A CEL duration: a signed count of nanoseconds, the range of cel-go and Kubernetes (about ±292 years).</summary>
public readonly record struct CelDuration(long Nanoseconds) : IComparable<CelDuration>
{
    public const long NanosPerSecond = 1_000_000_000;

    public static CelDuration FromTimeSpan(TimeSpan value) => new(checked(value.Ticks * 100));

    public TimeSpan ToTimeSpan() => TimeSpan.FromTicks(Nanoseconds / 100);

    public int CompareTo(CelDuration other) => Nanoseconds.CompareTo(other.Nanoseconds);

    public static CelDuration operator +(CelDuration x, CelDuration y) => new(checked(x.Nanoseconds + y.Nanoseconds));

    public static CelDuration operator -(CelDuration x, CelDuration y) => new(checked(x.Nanoseconds - y.Nanoseconds));

    public static CelDuration operator -(CelDuration x) => new(checked(-x.Nanoseconds));

    public static bool operator <(CelDuration x, CelDuration y) => x.Nanoseconds < y.Nanoseconds;

    public static bool operator >(CelDuration x, CelDuration y) => x.Nanoseconds > y.Nanoseconds;

    public static bool operator <=(CelDuration x, CelDuration y) => x.Nanoseconds <= y.Nanoseconds;

    public static bool operator >=(CelDuration x, CelDuration y) => x.Nanoseconds >= y.Nanoseconds;

    public CelDuration Add(CelDuration other) => this + other;

    public CelDuration Subtract(CelDuration other) => this - other;

    public CelDuration Negate() => -this;
}

/// <summary>A CEL timestamp: seconds and nanoseconds since the Unix epoch, UTC, from year 1 to year 9999.</summary>
public readonly record struct CelTimestamp : IComparable<CelTimestamp>
{
    private const long MinSeconds = -62_135_596_800;
    private const long MaxSeconds = 253_402_300_799;

    public CelTimestamp(long seconds, int nanos)
    {
        if (seconds < MinSeconds || seconds > MaxSeconds || nanos < 0 || nanos >= CelDuration.NanosPerSecond)
        {
            throw new OverflowException("timestamp out of range");
        }

        Seconds = seconds;
        Nanos = nanos;
    }

    public long Seconds { get; }

    public int Nanos { get; }

    public static CelTimestamp FromDateTimeOffset(DateTimeOffset value)
    {
        var ticks = value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var seconds = ticks / TimeSpan.TicksPerSecond;
        var rest = ticks % TimeSpan.TicksPerSecond;
        return rest < 0 ? new CelTimestamp(seconds - 1, (int)((rest + TimeSpan.TicksPerSecond) * 100)) : new CelTimestamp(seconds, (int)(rest * 100));
    }

    /// <summary>The same instant as a <see cref="DateTimeOffset"/> in UTC (to 100 ns), for calendar fields and time zones.</summary>
    public DateTimeOffset ToDateTimeOffset() => DateTimeOffset.UnixEpoch.AddTicks((Seconds * TimeSpan.TicksPerSecond) + (Nanos / 100));

    public int CompareTo(CelTimestamp other) => Seconds != other.Seconds ? Seconds.CompareTo(other.Seconds) : Nanos.CompareTo(other.Nanos);

    public static bool operator <(CelTimestamp x, CelTimestamp y) => x.CompareTo(y) < 0;

    public static bool operator >(CelTimestamp x, CelTimestamp y) => x.CompareTo(y) > 0;

    public static bool operator <=(CelTimestamp x, CelTimestamp y) => x.CompareTo(y) <= 0;

    public static bool operator >=(CelTimestamp x, CelTimestamp y) => x.CompareTo(y) >= 0;

    public CelTimestamp Add(CelDuration duration)
    {
        var total = ((Int128)Seconds * CelDuration.NanosPerSecond) + Nanos + duration.Nanoseconds;
        var seconds = Int128.DivRem(total, CelDuration.NanosPerSecond);
        var (s, n) = seconds.Remainder < 0 ? (seconds.Quotient - 1, seconds.Remainder + CelDuration.NanosPerSecond) : seconds;
        return s < MinSeconds || s > MaxSeconds ? throw new OverflowException("timestamp out of range") : new CelTimestamp((long)s, (int)n);
    }

    public CelDuration Subtract(CelTimestamp other)
    {
        var nanos = (((Int128)Seconds - other.Seconds) * CelDuration.NanosPerSecond) + Nanos - other.Nanos;
        return nanos > long.MaxValue || nanos < long.MinValue ? throw new OverflowException("duration out of range") : new CelDuration((long)nanos);
    }
}
