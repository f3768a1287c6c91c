using System.Reflection;

namespace PolicyWebhook.Provenance.Tests;

/// <summary>
/// Registry I/O stays in its own project: the engine never reaches it, and it reaches neither the
/// web host, telemetry SDKs, validation nor the cluster client; the engine judges the facts it gathers.
/// </summary>
public sealed class LayeringTests
{
    private static readonly Assembly Provenance = typeof(ImageFactsGatherer).Assembly;

    [Fact]
    public void Engine_DoesNotReferenceProvenance()
    {
        var engine = typeof(Engine.PolicyEvaluator).Assembly.GetReferencedAssemblies().Select(a => a.Name);

        Assert.DoesNotContain(Provenance.GetName().Name, engine);
    }

    [Fact]
    public void Provenance_ReferencesNoWebHostTelemetryValidationOrClusterClient()
    {
        string[] forbidden = ["Microsoft.AspNetCore", "OpenTelemetry", "FluentValidation", "PolicyWebhook.Policies", "PolicyWebhook.Cluster", "PolicyWebhook.Host"];
        var assemblies = Provenance.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.DoesNotContain(assemblies, a => forbidden.Any(f => a.StartsWith(f, StringComparison.Ordinal)));

        var named = PolicyWebhook.Tests.Shared.TypeReferences.Of(Provenance);
        Assert.DoesNotContain(named, n => n is "k8s.IKubernetes" or "k8s.Kubernetes" or "k8s.KubernetesClientConfiguration");
        Assert.Contains("PolicyWebhook.Engine.Images.ImageFacts", named);
    }
}
