using System.Reflection;
using PolicyWebhook.Engine.Checks;

namespace PolicyWebhook.Engine.Tests;

/// <summary>Guards the house rules: the engine stays pure, and every check has its test and its fixtures.</summary>
public sealed class ConventionTests
{
    private static readonly Assembly Engine = typeof(PolicyEvaluator).Assembly;

    [Fact]
    public void Engine_ReferencesNoWebTelemetryValidationOrClusterClient()
    {
        string[] forbidden = ["Microsoft.AspNetCore", "OpenTelemetry", "FluentValidation", "System.Net.Http"];
        var assemblies = Engine.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.DoesNotContain(assemblies, a => forbidden.Any(f => a.StartsWith(f, StringComparison.Ordinal)));

        // KubernetesClient holds both the model types (allowed) and the API client (not): look at every type the engine names.
        var named = PolicyWebhook.Tests.Shared.TypeReferences.Of(Engine);
        Assert.DoesNotContain(named, n => n is "k8s.IKubernetes" or "k8s.Kubernetes" or "k8s.KubernetesClientConfiguration");
        Assert.Contains("k8s.Models.V1PodSpec", named);
    }

    [Fact]
    public void EveryCheck_HasATestClassAndPassAndFailFixtures()
    {
        var testClasses = typeof(ConventionTests).Assembly.GetTypes().Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var check in CheckRegistry.Default.All)
        {
            if (!testClasses.Contains(check.GetType().Name + "Tests"))
            {
                missing.Add($"{check.Id}: no {check.GetType().Name}Tests");
            }

            foreach (var verdict in new[] { "pass", "fail" })
            {
                var folder = RepoPaths.Of("tests", "PolicyWebhook.Engine.Tests", "Fixtures", check.Id, verdict);
                if (!Directory.Exists(folder) || Directory.GetFiles(folder, "*.yaml").Length == 0)
                {
                    missing.Add($"{check.Id}: no {verdict} fixture");
                }
            }
        }

        Assert.Empty(missing);
    }

    [Fact]
    public void Dockerfile_RestoreStage_CopiesEveryProjectTheImageBuilds()
    {
        // The restore stage copies project files one by one; a new project reference missing there breaks the image.
        var dockerfile = File.ReadAllText(RepoPaths.Of("Dockerfile"));
        var needed = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(["src/PolicyWebhook.Host/PolicyWebhook.Host.csproj", "src/PolicyWebhook.Cli/PolicyWebhook.Cli.csproj"]);
        while (pending.TryPop(out var project))
        {
            if (!needed.Add(project))
            {
                continue;
            }

            var folder = Path.GetDirectoryName(project)!;
            foreach (System.Text.RegularExpressions.Match reference in System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(RepoPaths.Of(project)), "ProjectReference Include=\"([^\"]+)\""))
            {
                var relative = Path.GetRelativePath(RepoPaths.Root, Path.GetFullPath(Path.Combine(RepoPaths.Root, folder, reference.Groups[1].Value.Replace('\\', '/'))));
                pending.Push(relative.Replace('\\', '/'));
            }
        }

        Assert.All(needed, project => Assert.Contains($"COPY {project} ", dockerfile, StringComparison.Ordinal));
        Assert.Contains("USER 1654:1654", dockerfile, StringComparison.Ordinal);
    }
}
