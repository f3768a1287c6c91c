using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using PolicyWebhook.Host.Logging;

namespace PolicyWebhook.Host.Tests;

/// <summary>The JSON lines the server writes in the console logger's place: its shape, one line per entry.</summary>
public sealed partial class JsonLineLoggerTests
{
    [Fact]
    public void Log_StructuredEntry_OneJsonLineShapedAsTheConsoleFormattersWithTypedState()
    {
        using var output = new MemoryStream();
        using var provider = new JsonLineLoggerProvider(output, new JsonConsoleFormatterOptions { TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ", UseUtcTimestamp = true });
        var logger = provider.CreateLogger("PolicyWebhook.Admission");

        LogDecision(logger, "validate", "u-1", "denied \"quoted\" é", false, 3);
        LogFailure(logger, new InvalidOperationException("boom"));

        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.Equal("", lines[2]);
        var line = JsonNode.Parse(lines[0])!;
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", (string?)line["Timestamp"]);
        Assert.Equal(1, (int?)line["EventId"]);
        Assert.Equal("Information", (string?)line["LogLevel"]);
        Assert.Equal("PolicyWebhook.Admission", (string?)line["Category"]);
        Assert.Equal("validate u-1: denied \"quoted\" é (dryRun=False, 3)", (string?)line["Message"]);
        Assert.Equal("u-1", (string?)line["State"]!["Uid"]);
        Assert.False((bool)line["State"]!["DryRun"]!);
        Assert.Equal(3, (int)line["State"]!["Count"]!);
        Assert.Equal("{Webhook} {Uid}: {Decision} (dryRun={DryRun}, {Count})", (string?)line["State"]!["{OriginalFormat}"]);
        var failure = JsonNode.Parse(lines[1])!;
        Assert.Equal("Error", (string?)failure["LogLevel"]);
        Assert.StartsWith("System.InvalidOperationException: boom", (string?)failure["Exception"], StringComparison.Ordinal);
    }

    [Fact]
    public void DecisionLogging_JsonLine_NamesTheNamespaceKeyLikeEveryOtherField()
    {
        using var output = new MemoryStream();
        using var provider = new JsonLineLoggerProvider(output, new JsonConsoleFormatterOptions());
        var handler = PolicyWebhook.Host.Admission.DecisionLogging.Wrap(
            _ => new PolicyWebhook.Host.Admission.AdmissionOutcome(PolicyWebhook.Host.Admission.AdmissionResponse.Allow, "allowed", []),
            provider.CreateLogger("PolicyWebhook.Admission"),
            "validate");

        using var request = new PolicyWebhook.Host.Admission.AdmissionRequest
        {
            ApiVersion = "admission.k8s.io/v1",
            Uid = "u-1",
            Group = "",
            Version = "v1",
            Kind = "Pod",
            Operation = "CREATE",
            Namespace = "shop",
            Name = "web",
            User = "alice",
            ObjectJson = "{}"u8.ToArray(),
        };
        handler(request);

        var state = JsonNode.Parse(Encoding.UTF8.GetString(output.ToArray()).Split('\n')[0])!["State"]!.AsObject();
        Assert.Equal("shop", (string?)state["Namespace"]);
        Assert.Equal("Pod", (string?)state["Kind"]);
        Assert.Equal("web", (string?)state["Name"]);
        Assert.All(state.Select(p => p.Key).Where(k => k != "{OriginalFormat}"), k => Assert.True(char.IsAsciiLetterUpper(k[0]), $"state key {k} is not PascalCase"));
    }

    [Fact]
    public void AddWebhookLogging_JsonFormatterConfigured_ReplacesTheConsoleLogger()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration["Logging:Console:FormatterName"] = "json";

        builder.AddWebhookLogging();

        Assert.DoesNotContain(builder.Services, d => d.ImplementationType == typeof(ConsoleLoggerProvider));
        Assert.Contains(builder.Services, d => d.ServiceType == typeof(ILoggerProvider) && d.ImplementationFactory is not null);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "{Webhook} {Uid}: {Decision} (dryRun={DryRun}, {Count})")]
    private static partial void LogDecision(ILogger logger, string webhook, string uid, string decision, bool dryRun, int count);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "failed")]
    private static partial void LogFailure(ILogger logger, Exception e);
}
