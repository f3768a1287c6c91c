using k8s;
using k8s.Exceptions;
using k8s.KubeConfigModels;

namespace PolicyWebhook.Cluster;

/// <summary>
/// How the server and the command line find the API server, in one place: a kubeconfig named outright, else the
/// pod's own service account when running in a cluster, else <c>$KUBECONFIG</c> (a list of files, merged as
/// kubectl merges them), else <c>~/.kube/config</c>.
/// </summary>
public static class ClusterConnection
{
    /// <summary>Where each source was looked for, so a failure can say so. Tests replace it.</summary>
    internal sealed record Environment(bool InCluster, string? KubeconfigVariable, string HomeFile)
    {
        public static Environment Current() => new(
            KubernetesClientConfiguration.IsInCluster(),
            System.Environment.GetEnvironmentVariable("KUBECONFIG"),
            KubernetesClientConfiguration.KubeConfigDefaultLocation);
    }

    /// <summary>The configuration to use; throws <see cref="ClusterConnectionException"/> saying what is missing.</summary>
    public static KubernetesClientConfiguration Configuration(string? kubeconfig = null, string? context = null) =>
        Configuration(kubeconfig, context, Environment.Current());

    internal static KubernetesClientConfiguration Configuration(string? kubeconfig, string? context, Environment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (kubeconfig is not null)
        {
            return FromFiles([kubeconfig], context, $"the kubeconfig file {kubeconfig}");
        }

        if (context is null && environment.InCluster)
        {
            try
            {
                return KubernetesClientConfiguration.InClusterConfig();
            }
            catch (Exception e) when (e is KubeConfigException or IOException or UnauthorizedAccessException)
            {
                throw new ClusterConnectionException($"cannot use the pod's service account: {e.Message}", e);
            }
        }

        if (!string.IsNullOrEmpty(environment.KubeconfigVariable))
        {
            // kubectl's rules: a list separated like PATH; files that do not exist are passed over; the first file
            // to set a value wins.
            var files = environment.KubeconfigVariable.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var existing = files.Where(File.Exists).ToArray();
            if (existing.Length == 0)
            {
                throw new ClusterConnectionException(
                    $"no cluster to connect to: none of the files in KUBECONFIG exists ({string.Join(", ", files)}). Set KUBECONFIG to a kubeconfig file{Hint(environment)}.");
            }

            return FromFiles(existing, context, $"KUBECONFIG ({string.Join(", ", existing)})");
        }

        if (File.Exists(environment.HomeFile))
        {
            return FromFiles([environment.HomeFile], context, $"the kubeconfig file {environment.HomeFile}");
        }

        throw new ClusterConnectionException(
            $"no cluster to connect to: not running in a cluster, KUBECONFIG is not set, and {environment.HomeFile} does not exist. Set KUBECONFIG to a kubeconfig file{Hint(environment)}.");
    }

    /// <summary>kubectl's merge of a KUBECONFIG list: the first file to name a cluster, user or context, or to set the current context, wins.</summary>
    internal static K8SConfiguration Merge(IReadOnlyList<K8SConfiguration> configs)
    {
        var first = configs[0];
        if (configs.Count == 1)
        {
            return first;
        }

        return new K8SConfiguration
        {
            ApiVersion = first.ApiVersion,
            Kind = first.Kind,
            CurrentContext = configs.Select(c => c.CurrentContext).FirstOrDefault(c => !string.IsNullOrEmpty(c)),
            Preferences = first.Preferences,
            Clusters = [.. configs.SelectMany(c => c.Clusters ?? []).DistinctBy(c => c.Name, StringComparer.Ordinal)],
            Users = [.. configs.SelectMany(c => c.Users ?? []).DistinctBy(u => u.Name, StringComparer.Ordinal)],
            Contexts = [.. configs.SelectMany(c => c.Contexts ?? []).DistinctBy(c => c.Name, StringComparer.Ordinal)],
        };
    }

    private static string Hint(Environment environment) =>
        environment.InCluster ? "" : " (or run in a pod with a service account)";

    private static KubernetesClientConfiguration FromFiles(string[] files, string? context, string what)
    {
        try
        {
            if (files.Length == 1 && !File.Exists(files[0]))
            {
                throw new ClusterConnectionException($"no cluster to connect to: {what} does not exist");
            }

            var merged = Merge([.. files.Select(f => KubernetesClientConfiguration.LoadKubeConfig(new FileInfo(f), true))]);
            return KubernetesClientConfiguration.BuildConfigFromConfigObject(merged, context);
        }
        catch (Exception e) when (e is KubeConfigException or IOException or UnauthorizedAccessException or YamlDotNet.Core.YamlException or ArgumentException or FormatException)
        {
            throw new ClusterConnectionException($"cannot use {what}: {e.Message}", e);
        }
    }
}

/// <summary>No API server could be found, or its credentials could not be read; the message says which and why.</summary>
public sealed class ClusterConnectionException : Exception
{
    public ClusterConnectionException()
    {
    }

    public ClusterConnectionException(string message)
        : base(message)
    {
    }

    public ClusterConnectionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
