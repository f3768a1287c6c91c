namespace PolicyWebhook.Tests.Shared;

/// <summary>The registry as an xunit class fixture: xunit calls InitializeAsync and DisposeAsync.</summary>
public sealed partial class RegistryServer : IAsyncLifetime;
