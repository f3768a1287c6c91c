using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;

namespace PolicyWebhook.Cli.Tests;

public sealed class UninstallWebhooksCommandTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<string> _calls = new();
    private FakeKubernetes _cluster = null!;
    private string _kubeconfig = null!;

    public async ValueTask InitializeAsync()
    {
        _cluster = await FakeKubernetes.StartAsync(async context =>
        {
            _calls.Enqueue($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString}");
            context.Response.ContentType = "application/json";
            var path = context.Request.Path.Value!;
            if (context.Request.Method == "GET")
            {
                var items = path.EndsWith("validatingwebhookconfigurations", StringComparison.Ordinal)
                    ? """[{"metadata":{"name":"policy-webhook-validate"}},{"metadata":{"name":"policy-webhook-gone"}}]"""
                    : """[{"metadata":{"name":"policy-webhook-mutate"}}]""";
                await context.Response.WriteAsync($$"""{"apiVersion":"v1","kind":"List","metadata":{},"items":{{items}}}""");
                return;
            }

            if (path.EndsWith("/policy-webhook-gone", StringComparison.Ordinal))
            {
                context.Response.StatusCode = 404;
                await context.Response.WriteAsync("""{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}""");
                return;
            }

            await context.Response.WriteAsync("""{"kind":"Status","apiVersion":"v1","status":"Success"}""");
        });
        _kubeconfig = _cluster.Kubeconfig;
    }

    public ValueTask DisposeAsync() => _cluster.DisposeAsync();

    [Fact]
    public void UninstallWebhooks_DeletesTheReleasesConfigurations_ToleratingOnesAlreadyGone()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = CliApp.Run(["uninstall-webhooks", "--selector", "app.kubernetes.io/instance=pw", "--kubeconfig", _kubeconfig], output, error);

        Assert.Equal(0, exit);
        Assert.Equal("", error.ToString());
        Assert.Contains(_calls.Select(Uri.UnescapeDataString), c => c.StartsWith("GET /apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations?", StringComparison.Ordinal)
            && c.Contains("labelSelector=app.kubernetes.io/instance=pw", StringComparison.Ordinal));
        Assert.Contains("DELETE /apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/policy-webhook-validate", _calls);
        Assert.Contains("DELETE /apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/policy-webhook-mutate", _calls);
        Assert.Contains("deleted 2 webhook configurations", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void UninstallWebhooks_WithoutSelector_IsRefused()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        Assert.Equal(2, CliApp.Run(["uninstall-webhooks", "--kubeconfig", _kubeconfig], output, error));
        Assert.Empty(_calls);
    }
}
