using System.Globalization;
using System.Text.Json;

namespace PolicyWebhook.Host;

/// <summary>
/// What the server does when it cannot start (a missing certificate, no cluster to connect to, a bad setting): one
/// JSON log line that says what is wrong, and exit code 1. Left alone, the runtime prints a multi-line trace and
/// aborts, which as PID 1 in a container ends in a signal that Kubernetes reports like a crash.
/// </summary>
public static class StartupFailure
{
    public const int ExitCode = 1;

    public static int Guard(Action run) => Guard(run, Console.Out);

    public static int Guard(Action run, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(output);
        try
        {
            run();
            return 0;
        }
        catch (HostAbortedException)
        {
            throw; // A test host built the app and stopped it on purpose.
        }
        catch (Exception e)
        {
            output.WriteLine(Line(e, DateTimeOffset.UtcNow));
            output.Flush();
            return ExitCode;
        }
    }

    /// <summary>The line, in the shape of the server's JSON console log.</summary>
    public static string Line(Exception error, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(error);
        var cause = Innermost(error);
        var message = $"Cannot start: {cause.Message}";
        return JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["Timestamp"] = at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
            ["EventId"] = 1,
            ["LogLevel"] = "Critical",
            ["Category"] = "PolicyWebhook.Host.Startup",
            ["Message"] = message,
            ["State"] = new Dictionary<string, object> { ["Message"] = message, ["Error"] = cause.GetType().Name },
        });
    }

    private static Exception Innermost(Exception e)
    {
        while (e is AggregateException { InnerExceptions.Count: 1 } or System.Reflection.TargetInvocationException && e.InnerException is not null)
        {
            e = e.InnerException!;
        }

        return e;
    }
}
