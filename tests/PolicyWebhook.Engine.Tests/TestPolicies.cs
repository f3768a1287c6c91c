using k8s;
using k8s.Models;
using PolicyWebhook.Engine.Checks;
using PolicyWebhook.Engine.Images;
using PolicyWebhook.Engine.Workloads;

namespace PolicyWebhook.Engine.Tests;

/// <summary>Builds compiled policies and reads manifests for tests, without the Policies project.</summary>
internal static class TestPolicies
{
    public static readonly PolicyReference Reference = new("ClusterPolicy", "test");

    public static CompiledPolicy Standard(PssLevel level, PssVersion version, PolicyMode mode = PolicyMode.Enforce) =>
        new(Reference, new PodSecuritySettings(level, version, mode), [], PolicyMatch.All, PolicyExclusions.None);

    /// <summary>A policy running one check alone; a Pod Security Standards check at <paramref name="version"/> (latest when null).</summary>
    public static CompiledPolicy OnlyCheck(string id, object? options = null, PssVersion? version = null)
    {
        var check = CheckRegistry.Default.Find(id) ?? throw new ArgumentException($"no check {id}");
        if (version is not null && check is not PssCheck)
        {
            throw new ArgumentException($"{id} is not a Pod Security Standards check and has no versions");
        }

        PodCheck evaluate = check switch
        {
            PssCheck pss => (pss.Versions.LastOrDefault(v => v.MinimumVersion <= (version ?? PssVersion.Latest))
                ?? throw new ArgumentException($"{id} is not in force at {version}")).Evaluate,
            ResourcesCheck c => c.Bind(options as ResourcesOptions ?? ResourcesOptions.Default),
            ReadOnlyRootFilesystemCheck c => c.Bind(ReadOnlyRootFilesystemOptions.Default),
            ImageRegistriesCheck c => c.Bind(options as ImageRegistriesOptions ?? new ImageRegistriesOptions(["registry.example.com"])),
            ImageTagsCheck c => c.Bind(options as ImageTagsOptions ?? ImageTagsOptions.Default),
            InlineSecretsCheck c => c.Bind(InlineSecretsOptions.Default),
            RuntimeSocketsCheck c => c.Bind(options as RuntimeSocketsOptions ?? RuntimeSocketsOptions.Default),
            AutomountServiceAccountTokenCheck c => c.Bind(AutomountServiceAccountTokenOptions.Default),
            ProbesCheck c => c.Bind(options as ProbesOptions ?? ProbesOptions.Default),
            ImageVerificationCheck c => c.Bind(options as ImageVerificationOptions ?? throw new ArgumentException($"{id} needs its entries as options")),
            _ => throw new ArgumentException($"no binding for {id}"),
        };
        return new CompiledPolicy(Reference, null, [new ConfiguredCheck(id, PolicyMode.Enforce, evaluate)], PolicyMatch.All, PolicyExclusions.None);
    }

    public static IKubernetesObject<V1ObjectMeta> ReadObject(string path) => ParseObject(File.ReadAllText(path));

    /// <summary>
    /// Reads one object as the webhook does: into JSON, then through <see cref="WorkloadDecoder.DecodeForChecks"/> with
    /// its shortcuts (skipped fields, cached quantities), so every fixture also holds the decoder to the checks.
    /// </summary>
    public static IKubernetesObject<V1ObjectMeta> ParseObject(string yaml)
    {
        var read = (IKubernetesObject<V1ObjectMeta>)KubernetesYaml.LoadAllFromString(yaml, null).Single();
        return WorkloadDecoder.IsWorkload(read.ApiVersion, read.Kind)
            ? WorkloadDecoder.DecodeForChecks(read.Kind, System.Text.Encoding.UTF8.GetBytes(KubernetesJson.Serialize(read)))
            : read;
    }
}
