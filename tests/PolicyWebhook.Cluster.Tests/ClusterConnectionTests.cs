using PolicyWebhook.Cluster;

namespace PolicyWebhook.Cluster.Tests;

public sealed class ClusterConnectionTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("policywebhook-kubeconfig-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Kubeconfig(string file, string server, string context = "dev", string? current = "dev", string user = "dev")
    {
        var path = Path.Combine(_folder, file);
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            {(current is null ? "" : $"current-context: {current}")}
            clusters:
              - name: {context}
                cluster:
                  server: {server}
            users:
              - name: {user}
                user:
                  token: t-{context}
            contexts:
              - name: {context}
                context:
                  cluster: {context}
                  user: {user}
            """);
        return path;
    }

    private ClusterConnection.Environment Outside(string? kubeconfigVariable) =>
        new(InCluster: false, kubeconfigVariable, Path.Combine(_folder, "home", ".kube", "config"));

    [Fact]
    public void Configuration_KubeconfigVariable_IsReadWhenThereIsNoHomeFile()
    {
        var file = Kubeconfig("a.yaml", "https://a.example:6443");

        var config = ClusterConnection.Configuration(null, null, Outside(file));

        Assert.Equal("https://a.example:6443/", new Uri(config.Host).ToString());
    }

    [Fact]
    public void Configuration_KubeconfigList_SkipsMissingFilesAndTheFirstToSetAValueWins()
    {
        var first = Kubeconfig("first.yaml", "https://first.example", context: "first", current: "first", user: "first");
        var second = Kubeconfig("second.yaml", "https://second.example", context: "second", current: "second", user: "second");
        var list = string.Join(Path.PathSeparator, Path.Combine(_folder, "missing.yaml"), first, second);

        var current = ClusterConnection.Configuration(null, null, Outside(list));
        var other = ClusterConnection.Configuration(null, "second", Outside(list));

        Assert.Equal("https://first.example/", new Uri(current.Host).ToString());
        Assert.Equal("https://second.example/", new Uri(other.Host).ToString());
    }

    [Fact]
    public void Configuration_NothingToConnectTo_SaysWhatIsMissing()
    {
        var e = Assert.Throws<ClusterConnectionException>(() => ClusterConnection.Configuration(null, null, Outside(null)));

        Assert.StartsWith("no cluster to connect to: not running in a cluster, KUBECONFIG is not set, and ", e.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist. Set KUBECONFIG to a kubeconfig file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Configuration_KubeconfigNamesOnlyMissingFiles_SaysWhichWereLookedFor()
    {
        var missing = Path.Combine(_folder, "gone.yaml");

        var e = Assert.Throws<ClusterConnectionException>(() => ClusterConnection.Configuration(null, null, Outside(missing)));

        Assert.Equal($"no cluster to connect to: none of the files in KUBECONFIG exists ({missing}). Set KUBECONFIG to a kubeconfig file (or run in a pod with a service account).", e.Message);
    }

    [Fact]
    public void Configuration_ExplicitFile_WinsOverTheVariable()
    {
        var named = Kubeconfig("named.yaml", "https://named.example");
        var variable = Kubeconfig("variable.yaml", "https://variable.example");

        var config = ClusterConnection.Configuration(named, null, Outside(variable));

        Assert.Equal("https://named.example/", new Uri(config.Host).ToString());
    }

    [Fact]
    public void Configuration_BrokenFile_IsAClearErrorNotACrash()
    {
        var broken = Path.Combine(_folder, "broken.yaml");
        File.WriteAllText(broken, "clusters: [ {");

        var e = Assert.Throws<ClusterConnectionException>(() => ClusterConnection.Configuration(null, null, Outside(broken)));

        Assert.StartsWith($"cannot use KUBECONFIG ({broken}): ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Configuration_HomeFile_IsTheLastResort()
    {
        var home = Path.Combine(_folder, "home", ".kube");
        Directory.CreateDirectory(home);
        File.Move(Kubeconfig("config", "https://home.example"), Path.Combine(home, "config"));

        var config = ClusterConnection.Configuration(null, null, Outside(null));

        Assert.Equal("https://home.example/", new Uri(config.Host).ToString());
    }
}
