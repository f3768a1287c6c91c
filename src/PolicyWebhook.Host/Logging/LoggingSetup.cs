using Microsoft.Extensions.Logging.Console;

namespace PolicyWebhook.Host.Logging;

/// <summary>Where the JSON console logging of <c>appsettings.json</c> goes: <see cref="JsonLineLoggerProvider"/>, in the console logger's place.</summary>
public static class LoggingSetup
{
    public static WebApplicationBuilder AddWebhookLogging(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var section = builder.Configuration.GetSection("Logging:Console");
        if (!string.Equals(section["FormatterName"], ConsoleFormatterNames.Json, StringComparison.OrdinalIgnoreCase))
        {
            return builder; // plain text was asked for: the console logger as it is
        }

        var options = new JsonConsoleFormatterOptions();
        section.GetSection("FormatterOptions").Bind(options);
        foreach (var console in builder.Services.Where(d => d.ServiceType == typeof(ILoggerProvider) && d.ImplementationType == typeof(ConsoleLoggerProvider)).ToList())
        {
            builder.Services.Remove(console);
        }

        builder.Services.AddSingleton<ILoggerProvider>(_ => new JsonLineLoggerProvider(Console.OpenStandardOutput(), options));
        return builder;
    }
}
