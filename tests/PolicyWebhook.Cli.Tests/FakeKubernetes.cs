using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PolicyWebhook.Cli.Tests;

/// <summary>An HTTP server on loopback answering as a Kubernetes API server would, and a kubeconfig that points at it.</summary>
internal sealed class FakeKubernetes : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeKubernetes(WebApplication app, string kubeconfig)
    {
        _app = app;
        Kubeconfig = kubeconfig;
    }

    public string Kubeconfig { get; }

    public static async Task<FakeKubernetes> StartAsync(RequestDelegate handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Run(handler);
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var kubeconfig = Path.Combine(Path.GetTempPath(), $"policywebhook-kubeconfig-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(kubeconfig, $"apiVersion: v1\nkind: Config\nclusters:\n- name: fake\n  cluster: {{server: \"{address}\"}}\nusers:\n- name: u\n  user: {{token: t}}\ncontexts:\n- name: fake\n  context: {{cluster: fake, user: u}}\ncurrent-context: fake\n");
        return new FakeKubernetes(app, kubeconfig);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        File.Delete(Kubeconfig);
    }
}
