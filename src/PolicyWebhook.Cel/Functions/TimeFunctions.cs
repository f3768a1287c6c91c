using PolicyWebhook.Cel.Evaluation;
using PolicyWebhook.Cel.Values;

namespace PolicyWebhook.Cel.Functions;

/// <summary>The accessors of timestamps (getFullYear... with an optional time zone, UTC by default) and durations (getHours...).</summary>
internal static class TimeFunctions
{
    public static void Register(CelEnvironment environment)
    {
        Timestamp(environment, "getFullYear", t => t.Year);
        Timestamp(environment, "getMonth", t => t.Month - 1);
        Timestamp(environment, "getDate", t => t.Day);
        Timestamp(environment, "getDayOfMonth", t => t.Day - 1);
        Timestamp(environment, "getDayOfYear", t => t.DayOfYear - 1);
        Timestamp(environment, "getDayOfWeek", t => (int)t.DayOfWeek);
        Both(environment, "getHours", t => t.Hour, d => d.Nanoseconds / 3_600_000_000_000);
        Both(environment, "getMinutes", t => t.Minute, d => d.Nanoseconds / 60_000_000_000);
        Both(environment, "getSeconds", t => t.Second, d => d.Nanoseconds / CelDuration.NanosPerSecond);
        Both(environment, "getMilliseconds", t => t.Millisecond, d => d.Nanoseconds / 1_000_000 % 1000);
    }

    private static void Timestamp(CelEnvironment environment, string name, Func<DateTimeOffset, int> part) =>
        environment.AddMember(name, (a, _) => TimestampPart(a, name, part) ?? CelError.NoSuchOverload(name));

    private static void Both(CelEnvironment environment, string name, Func<DateTimeOffset, int> part, Func<CelDuration, long> total) =>
        environment.AddMember(name, (a, _) => TimestampPart(a, name, part) ?? (a is [CelDuration d] ? total(d) : CelError.NoSuchOverload(name)));

    private static object? TimestampPart(object?[] args, string name, Func<DateTimeOffset, int> part) => args switch
    {
        [CelTimestamp t] => (long)part(t.ToDateTimeOffset()),
        [CelTimestamp t, string zone] => (long)part(TimeValues.InZone(t, zone)),
        [CelTimestamp, _] => CelError.NoSuchOverload(name),
        _ => null,
    };
}
