namespace PolicyWebhook.Host.Policies;

/// <summary>Starts and stops whichever policy source was chosen, files or the cluster, with the host.</summary>
public sealed class PolicySourceHost(IPolicySource source) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        source is IHostedService hosted ? hosted.StartAsync(cancellationToken) : Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) =>
        source is IHostedService hosted ? hosted.StopAsync(cancellationToken) : Task.CompletedTask;
}
