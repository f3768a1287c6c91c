using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using PolicyWebhook.Host.Tests.Cluster;
using PolicyWebhook.Tests.Shared;

namespace PolicyWebhook.Host.Tests;

/// <summary>
/// The built server started as a process, as the image starts it: from a working directory that is not its own
/// folder, with its settings from the environment. What it prints is read line by line.
/// </summary>
public sealed class ServerProcessTests : IDisposable
{
    private readonly string _cwd = Directory.CreateTempSubdirectory("policywebhook-cwd-").FullName;

    public void Dispose() => Directory.Delete(_cwd, recursive: true);


    private Process Start(Dictionary<string, string> environment, params string[] args)
    {
        var server = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "PolicyWebhook.Host.exe" : "PolicyWebhook.Host");
        var start = new ProcessStartInfo(server)
        {
            WorkingDirectory = _cwd,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // Nothing of this machine's own: no kubeconfig in a home folder, no cluster, no settings of the developer.
        start.Environment["HOME"] = _cwd;
        start.Environment.Remove("KUBECONFIG");
        start.Environment.Remove("KUBERNETES_SERVICE_HOST");
        start.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        start.Environment.Remove("DOTNET_ENVIRONMENT");
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return Process.Start(start)!;
    }

    [Fact]
    public async Task Started_FromAnotherFolder_ReadsItsOwnSettings_LogsJson_AndFindsTheClusterThroughKubeconfig()
    {
        await using var api = new FakeApiServer();
        await api.StartAsync();
        api.Put(FakeApiServer.ClusterPolicies, JsonNode.Parse("""{"apiVersion":"policywebhook.io/v1alpha1","kind":"ClusterPolicy","metadata":{"name":"tags"},"spec":{"rules":{"imageTags":{}}}}""")!.AsObject());
        var kubeconfig = Path.Combine(_cwd, "kubeconfig.yaml");
        await File.WriteAllTextAsync(kubeconfig, $"""
            apiVersion: v1
            kind: Config
            current-context: fake
            clusters: [{"{"}name: fake, cluster: {"{"}server: "{api.Address}"{"}"}{"}"}]
            users: [{"{"}name: fake, user: {"{"}token: test{"}"}{"}"}]
            contexts: [{"{"}name: fake, context: {"{"}cluster: fake, user: fake{"}"}{"}"}]
            """, TestContext.Current.CancellationToken);
        var (port, management) = (KestrelWebhook.FreePort(), KestrelWebhook.FreePort());
        using var server = Start(
            new Dictionary<string, string>
            {
                ["KUBECONFIG"] = string.Join(Path.PathSeparator, Path.Combine(_cwd, "missing"), kubeconfig),
                ["Policies__Source"] = "Cluster",
                ["Admission__OwnNamespace"] = "policy-webhook",
            },
            "--dev", $"--Server:Port={port}", $"--Server:ManagementPort={management}");
        var lines = new List<string>();
        var reading = Task.Run(async () =>
        {
            while (await server.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken) is { } line)
            {
                lock (lines)
                {
                    lines.Add(line);
                }
            }
        }, TestContext.Current.CancellationToken);

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{management}") };
        HttpStatusCode? ready = null;
        await Eventually.UntilAsync(
            async () =>
            {
                try
                {
                    ready = (await http.GetAsync(new Uri("/readyz", UriKind.Relative), TestContext.Current.CancellationToken)).StatusCode;
                }
                catch (HttpRequestException)
                {
                }

                return ready == HttpStatusCode.OK || server.HasExited;
            },
            "the server never became ready");

        // A few requests, each of which the ASP.NET Core defaults would log in four lines.
        for (var i = 0; i < 3; i++)
        {
            await http.GetAsync(new Uri("/healthz", UriKind.Relative), TestContext.Current.CancellationToken);
        }

        server.Kill(entireProcessTree: true);
        await server.WaitForExitAsync(TestContext.Current.CancellationToken);
        await reading;

        Assert.Equal(HttpStatusCode.OK, ready);
        // The --dev banner is plain text; every log line after it is one JSON object.
        var logs = lines.SkipWhile(l => !l.StartsWith('{')).ToList();
        Assert.NotEmpty(logs);
        Assert.All(logs, l => Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(l).RootElement.ValueKind));
        Assert.Contains(logs, l => l.Contains("\"Message\":\"Listed 1 clusterpolicies at resourceVersion", StringComparison.Ordinal));
        Assert.Contains(logs, l => l.Contains($"\"Message\":\"Content root path: {AppContext.BaseDirectory.TrimEnd('/')}", StringComparison.Ordinal));
        Assert.DoesNotContain(logs, l => l.Contains("Request starting", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Started_WithNoClusterToConnectTo_SaysSoInOneJsonLineAndExits1()
    {
        using var server = Start(new Dictionary<string, string> { ["Policies__Source"] = "Cluster" }, "--dev", $"--Server:Port={KestrelWebhook.FreePort()}", $"--Server:ManagementPort={KestrelWebhook.FreePort()}");
        var output = await server.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = await server.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await server.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.Equal(1, server.ExitCode);
        Assert.Equal("", errors);
        var failure = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith('{')).Select(l => JsonNode.Parse(l)!).Last();
        Assert.Equal("Critical", (string?)failure["LogLevel"]);
        Assert.StartsWith("Cannot start: no cluster to connect to: not running in a cluster, KUBECONFIG is not set, and ", (string?)failure["Message"], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }
}
