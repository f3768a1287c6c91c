using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PolicyWebhook.Host.Tests;

/// <summary>
/// The real webhook pipeline in memory, with a policy folder of the test's own (or the built-in default), no
/// management port, and every log line kept so tests can read what was written.
/// </summary>
public sealed class WebhookFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;

    public WebhookFactory(IDictionary<string, string?>? settings = null)
    {
        _settings = new Dictionary<string, string?>
        {
            ["Server:ManagementPort"] = "0",
            ["Admission:OwnNamespace"] = "policy-webhook",
            ["Policies:PollInterval"] = "00:00:00.100",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }
    }

    /// <summary>Replaces services after the host's own registrations.</summary>
    public Action<IServiceCollection>? ReplaceServices { get; init; }

    /// <summary>Every log line written, formatted, with its category.</summary>
    public ConcurrentQueue<string> Logs { get; } = new();

    /// <summary>A factory whose policies are the YAML files written into a fresh folder.</summary>
    public static WebhookFactory WithPolicies(out string folder, params (string Name, string Yaml)[] files)
    {
        folder = Path.Combine(Path.GetTempPath(), "policywebhook-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        foreach (var (name, yaml) in files)
        {
            File.WriteAllText(Path.Combine(folder, name), yaml);
        }

        return new WebhookFactory(new Dictionary<string, string?> { ["Policies:Directory"] = folder });
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        if (ReplaceServices is { } services)
        {
            builder.ConfigureServices(services);
        }

        builder.ConfigureLogging(logging =>
        {
            logging.SetMinimumLevel(LogLevel.Debug);
            logging.AddProvider(new ListLoggerProvider(Logs));
        });
    }

    /// <summary>Posts a body to an endpoint as the API server does.</summary>
    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, string path, string body, string contentType = "application/json")
    {
        ArgumentNullException.ThrowIfNull(client);
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return await client.PostAsync(new Uri(path + "?timeout=5s", UriKind.Relative), content, TestContext.Current.CancellationToken);
    }

    /// <summary>Posts a review and returns its parsed answer's <c>response</c>, checking the envelope on the way.</summary>
    public static async Task<JsonObject> ReviewAsync(HttpClient client, string path, string review)
    {
        using var response = await PostAsync(client, path, review);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        var answer = JsonNode.Parse(text)!.AsObject();
        var request = JsonNode.Parse(review)!["request"]!;
        Assert.Equal(JsonNode.Parse(review)!["apiVersion"]!.GetValue<string>(), answer["apiVersion"]!.GetValue<string>());
        Assert.Equal("AdmissionReview", answer["kind"]!.GetValue<string>());
        Assert.Equal(request["uid"]!.GetValue<string>(), answer["response"]!["uid"]!.GetValue<string>());
        return answer["response"]!.AsObject();
    }

    private sealed class ListLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new ListLogger(categoryName, lines);

        public void Dispose()
        {
        }
    }

    private sealed class ListLogger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var structured = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(' ', pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} [{structured}] {exception}");
        }
    }
}
