using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace PolicyWebhook.Cli.Tests;

/// <summary><c>apply-policies</c> against an API server whose policy webhook has no ready replica at first, as on a first install.</summary>
public sealed class ApplyPoliciesCommandTests : IAsyncLifetime, IDisposable
{
    private const string WebhookDown = """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Internal error occurred: failed calling webhook \"validate.clusterpolicies.policywebhook.io\": failed to call webhook: Post \"https://policy-webhook.policy-webhook.svc:443/validate-policy?timeout=5s\": dial tcp 10.96.12.7:443: connect: connection refused","reason":"InternalError","details":{"causes":[{"message":"failed calling webhook \"validate.clusterpolicies.policywebhook.io\""}]},"code":500}""";

    private readonly string _folder = Directory.CreateTempSubdirectory("policywebhook-apply-").FullName;
    private readonly ConcurrentQueue<(string Method, string Path, string Query, string ContentType, string Body)> _calls = new();
    private FakeKubernetes _cluster = null!;
    private int _refusals;
    private string? _denial;

    public async ValueTask InitializeAsync()
    {
        _cluster = await FakeKubernetes.StartAsync(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            _calls.Enqueue((context.Request.Method, context.Request.Path.Value!, context.Request.QueryString.Value ?? "", context.Request.ContentType ?? "", body));
            context.Response.ContentType = "application/json";
            if (context.Request.Method == "DELETE")
            {
                context.Response.StatusCode = context.Request.Path.Value!.EndsWith("/gone", StringComparison.Ordinal) ? 404 : 200;
                await context.Response.WriteAsync("""{"kind":"Status","apiVersion":"v1","status":"Success"}""");
                return;
            }

            if (Interlocked.Decrement(ref _refusals) >= 0)
            {
                context.Response.StatusCode = 500;
                await context.Response.WriteAsync(WebhookDown);
                return;
            }

            if (_denial is { } denial)
            {
                context.Response.StatusCode = 400;
                await context.Response.WriteAsync($$"""{"kind":"Status","apiVersion":"v1","status":"Failure","message":"{{denial}}","reason":"BadRequest","code":400}""");
                return;
            }

            await context.Response.WriteAsync(body);
        });
        File.WriteAllText(Path.Combine(_folder, "defaults.yaml"), """
            apiVersion: policywebhook.io/v1alpha1
            kind: ClusterPolicy
            metadata:
              name: pw-pss-baseline
              labels:
                app.kubernetes.io/instance: pw
            spec:
              mode: Enforce
              podSecurity:
                level: baseline
                version: latest
            """);
    }

    public async ValueTask DisposeAsync() => await _cluster.DisposeAsync();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private (int Exit, string Output, string Error) Apply(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = CliApp.Run(["apply-policies", "--kubeconfig", _cluster.Kubeconfig, .. args], output, error);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public void Apply_WebhookNotReadyYet_WaitsThenServerSideAppliesThroughIt()
    {
        _refusals = 2;

        var (exit, output, error) = Apply("--file", _folder, "--delete", "clusterpolicy/pw-pss-restricted", "--delete", "clusterpolicy/gone");

        Assert.Equal(0, exit);
        Assert.Equal("clusterpolicy.policywebhook.io/pw-pss-baseline serverside-applied\nclusterpolicy.policywebhook.io/pw-pss-restricted deleted\n", output.ReplaceLineEndings("\n"));
        Assert.Equal(2, error.Split('\n').Count(l => l.StartsWith("waiting: Internal error occurred: failed calling webhook", StringComparison.Ordinal)));
        var patches = _calls.Where(c => c.Method == "PATCH").ToList();
        Assert.Equal(3, patches.Count);
        var last = patches[^1];
        Assert.Equal("/apis/policywebhook.io/v1alpha1/clusterpolicies/pw-pss-baseline", last.Path);
        Assert.Contains("fieldManager=policywebhook", last.Query, StringComparison.Ordinal);
        Assert.Contains("force=true", last.Query, StringComparison.Ordinal);
        Assert.StartsWith("application/apply-patch+yaml", last.ContentType, StringComparison.Ordinal);
        var sent = JsonNode.Parse(last.Body)!;
        Assert.Equal("baseline", (string?)sent["spec"]!["podSecurity"]!["level"]);
        Assert.Equal("pw", (string?)sent["metadata"]!["labels"]!["app.kubernetes.io/instance"]);
        Assert.Null(sent["status"]);
        Assert.Contains(_calls, c => c.Method == "DELETE" && c.Path.EndsWith("/clusterpolicies/pw-pss-restricted", StringComparison.Ordinal));
    }

    [Fact]
    public void Apply_WebhookRefusesThePolicy_ExitsOneWithItsWordsAndDoesNotRetry()
    {
        _denial = "admission webhook \\\"validate.clusterpolicies.policywebhook.io\\\" denied the request: spec.podSecurity.version: not a version";

        var (exit, _, error) = Apply("--file", _folder);

        Assert.Equal(1, exit);
        Assert.Equal("error: the API server refused it (400): admission webhook \"validate.clusterpolicies.policywebhook.io\" denied the request: spec.podSecurity.version: not a version\n", error.ReplaceLineEndings("\n"));
        Assert.Single(_calls);
    }

    [Fact]
    public void Apply_WebhookNeverReady_GivesUpAtTheTimeoutSayingWhy()
    {
        _refusals = int.MaxValue;

        var (exit, _, error) = Apply("--file", _folder, "--timeout", "00:00:02");

        Assert.Equal(2, exit);
        Assert.Contains("error: cannot apply the policies: Internal error occurred: failed calling webhook", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_BrokenFile_IsRefusedBeforeAnyCall()
    {
        File.WriteAllText(Path.Combine(_folder, "defaults.yaml"), "apiVersion: policywebhook.io/v1alpha1\nkind: ClusterPolicy\nmetadata:\n  name: x\nspec:\n  mode: Enforced\n  podSecurity:\n    level: baseline\n");

        var (exit, _, error) = Apply("--file", _folder);

        Assert.Equal(1, exit);
        Assert.Contains("spec.mode: \"Enforced\" is not a mode (use Enforce, Warn or Audit)", error, StringComparison.Ordinal);
        Assert.Empty(_calls);
    }

    [Theory]
    [InlineData("clusterpolicy")]
    [InlineData("policy/only-a-name")]
    [InlineData("deployment/x")]
    public void Apply_BadDeleteArgument_IsBadUsage(string removal)
    {
        var (exit, _, error) = Apply("--delete", removal);

        Assert.Equal(2, exit);
        Assert.StartsWith($"error: --delete {removal}: use clusterpolicy/NAME", error, StringComparison.Ordinal);
    }
}
