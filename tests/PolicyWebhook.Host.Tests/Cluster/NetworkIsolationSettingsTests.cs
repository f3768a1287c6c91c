using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PolicyWebhook.Host.Cluster;

namespace PolicyWebhook.Host.Tests.Cluster;

/// <summary>Generation without the NetworkPolicy watch would do nothing, silently: the settings refuse it.</summary>
public sealed class NetworkIsolationSettingsTests
{
    private static NetworkIsolationOptions Resolve(params string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, EnvironmentName = "Testing" });
        builder.AddWebhookServices();
        using var services = builder.Services.BuildServiceProvider();
        return services.GetRequiredService<IOptions<NetworkIsolationOptions>>().Value;
    }

    [Fact]
    public void Options_GenerateWithoutTheWatch_IsRefusedSayingWhatToSet()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve("--NetworkIsolation:Generate=true"));

        Assert.Contains("NetworkIsolation:Generate needs Policies:Cluster:NetworkPolicies", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_GenerateWithTheWatch_IsAccepted() =>
        Assert.True(Resolve("--NetworkIsolation:Generate=true", "--Policies:Cluster:NetworkPolicies=true").Generate);
}
