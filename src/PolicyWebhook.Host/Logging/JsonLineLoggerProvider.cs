using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging.Console;

namespace PolicyWebhook.Host.Logging;

/// <summary>
/// The console's JSON lines (the shape of <c>JsonConsoleFormatter</c>: Timestamp, EventId, LogLevel, Category,
/// Message, Exception, State), written as UTF-8 straight from the caller's thread in one write per line. The
/// console logger formats each entry into a string, queues it and wakes a thread of its own to write it: at one
/// admission at a time that wake-up cost more CPU than the webhook's checks (docs/performance.md, "What was tried").
/// Its alias is Console, so <c>Logging:Console:LogLevel</c> applies to it as to the logger it replaces.
/// </summary>
[ProviderAlias("Console")]
public sealed class JsonLineLoggerProvider(Stream output, JsonConsoleFormatterOptions options) : ILoggerProvider
{
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _threadBuffer;

    [ThreadStatic]
    private static Utf8JsonWriter? _threadWriter;

    private readonly Lock _writing = new();

    public ILogger CreateLogger(string categoryName) => new JsonLineLogger(this, categoryName);

    public void Dispose()
    {
        lock (_writing)
        {
            output.Flush();
        }
    }

    private void Write<TState>(string category, LogLevel level, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var buffer = _threadBuffer ??= new ArrayBufferWriter<byte>(1024);
        var json = _threadWriter ??= new Utf8JsonWriter(buffer, WriterOptions);
        buffer.ResetWrittenCount();
        json.Reset(buffer);
        json.WriteStartObject();
        if (options.TimestampFormat is { } format)
        {
            var now = options.UseUtcTimestamp ? DateTimeOffset.UtcNow : DateTimeOffset.Now;
            Span<char> stamp = stackalloc char[64];
            json.WriteString("Timestamp"u8, now.TryFormat(stamp, out var written, format, CultureInfo.InvariantCulture) ? stamp[..written] : now.ToString(format, CultureInfo.InvariantCulture));
        }

        json.WriteNumber("EventId"u8, eventId.Id);
        json.WriteString("LogLevel"u8, LevelName(level));
        json.WriteString("Category"u8, category);
        json.WriteString("Message"u8, formatter(state, exception));
        if (exception is not null)
        {
            json.WriteString("Exception"u8, exception.ToString());
        }

        if (state is IReadOnlyList<KeyValuePair<string, object?>> properties)
        {
            json.WriteStartObject("State"u8);
            for (var i = 0; i < properties.Count; i++)
            {
                var (key, value) = properties[i];
                WriteValue(json, key, value);
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.Flush();
        buffer.GetSpan(1)[0] = (byte)'\n';
        buffer.Advance(1);
        lock (_writing)
        {
            output.Write(buffer.WrittenSpan);
        }

        if (buffer.Capacity > 64 * 1024)
        {
            _threadBuffer = null; // a rare huge entry (a stack trace): do not keep its buffer for good
            _threadWriter = null;
        }
    }

    /// <summary>As <c>JsonConsoleFormatter</c> writes a state value: JSON numbers and booleans as such, the rest as text.</summary>
    private static void WriteValue(Utf8JsonWriter json, string key, object? value)
    {
        switch (value)
        {
            case null:
                json.WriteNull(key);
                break;
            case bool b:
                json.WriteBoolean(key, b);
                break;
            case int n:
                json.WriteNumber(key, n);
                break;
            case long n:
                json.WriteNumber(key, n);
                break;
            case double n:
                json.WriteNumber(key, n);
                break;
            case string s:
                json.WriteString(key, s);
                break;
            default:
                json.WriteString(key, Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "Trace",
        LogLevel.Debug => "Debug",
        LogLevel.Information => "Information",
        LogLevel.Warning => "Warning",
        LogLevel.Error => "Error",
        LogLevel.Critical => "Critical",
        _ => level.ToString(),
    };

    private sealed class JsonLineLogger(JsonLineLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                ArgumentNullException.ThrowIfNull(formatter);
                provider.Write(category, logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
