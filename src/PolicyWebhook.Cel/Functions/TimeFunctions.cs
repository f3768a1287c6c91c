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
        Both(environment, "getHours", t => t.Hour, d => (long)d.TotalHours);
        Both(environment, "getMinutes", t => t.Minute, d => (long)d.TotalMinutes);
        Both(environment, "getSeconds", t => t.Second, d => (long)d.TotalSeconds);
        Both(environment, "getMilliseconds", t => t.Millisecond, d => (long)d.TotalMilliseconds % 1000);
    }

    private static void Timestamp(CelEnvironment environment, string name, Func<DateTimeOffset, int> part) =>
        environment.AddMember(name, (a, _) => TimestampPart(a, name, part) ?? CelError.NoSuchOverload(name));

    private static void Both(CelEnvironment environment, string name, Func<DateTimeOffset, int> part, Func<TimeSpan, long> total) =>
        environment.AddMember(name, (a, _) => TimestampPart(a, name, part) ?? (a is [TimeSpan d] ? total(d) : CelError.NoSuchOverload(name)));

    private static object? TimestampPart(object?[] args, string name, Func<DateTimeOffset, int> part) => args switch
    {
        [DateTimeOffset t] => (long)part(t),
        [DateTimeOffset t, string zone] => (long)part(TimeValues.InZone(t, zone)),
        [DateTimeOffset, _] => CelError.NoSuchOverload(name),
        _ => null,
    };
}
