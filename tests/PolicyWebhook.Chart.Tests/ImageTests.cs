using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PolicyWebhook.Cli;
using PolicyWebhook.Host;

namespace PolicyWebhook.Chart.Tests;

/// <summary>
/// The image, read rather than built (there is no container engine in CI): one version everywhere, a Dockerfile any
/// builder takes, a final stage with no shell, and the commands the chart runs in it.
/// </summary>
public sealed partial class ImageTests
{
    private static readonly string Dockerfile = File.ReadAllText(Path.Combine(Helm.Root, "Dockerfile"));

    /// <summary>The final stage: from its FROM to the end.</summary>
    private static string Runtime => Dockerfile[Dockerfile.LastIndexOf("\nFROM ", StringComparison.Ordinal)..];

    [Fact]
    public void One_version_in_the_chart_the_build_the_command_line_the_server_and_the_image()
    {
        var appVersion = AppVersion().Match(File.ReadAllText(Path.Combine(Helm.Chart, "Chart.yaml"))).Groups[1].Value;
        var msbuild = MsBuildVersion().Match(File.ReadAllText(Path.Combine(Helm.Root, "Directory.Build.props"))).Groups[1].Value;
        var dockerfile = DockerfileVersion().Match(Dockerfile).Groups[1].Value;
        using var output = new StringWriter();
        using var error = new StringWriter();
        Assert.Equal(CliApp.Allowed, CliApp.Run(["--version"], output, error));

        Assert.Matches(@"^\d+\.\d+\.\d+$", appVersion);
        Assert.Equal(appVersion, msbuild);
        Assert.Equal(appVersion, output.ToString().Trim());
        Assert.Equal(appVersion, typeof(WebhookHost).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion);
        Assert.Equal(appVersion, dockerfile);

        // The build argument reaches both apps and the label.
        Assert.Equal(2, Regex.Count(Dockerfile, @"-p:Version=\$VERSION\b"));
        Assert.Contains("org.opencontainers.image.version=\"$VERSION\"", Runtime, StringComparison.Ordinal);
    }

    [Fact]
    public void The_Dockerfile_needs_no_BuildKit_feature_and_labels_the_image()
    {
        // Debian 12's podman 4.3 and a plain `docker build` refuse these, or fetch a frontend from Docker Hub.
        Assert.DoesNotContain("# syntax", Dockerfile, StringComparison.Ordinal);
        Assert.DoesNotContain("<<", Dockerfile, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"--(chmod|link|mount|parents|exclude)\b", Dockerfile);

        Assert.Contains("org.opencontainers.image.revision=\"$REVISION\"", Runtime, StringComparison.Ordinal);
        Assert.Contains("org.opencontainers.image.source=\"https://github.com/policywebhook/policy-webhook\"", Runtime, StringComparison.Ordinal);
        Assert.Contains("org.opencontainers.image.licenses=\"Apache-2.0\"", Runtime, StringComparison.Ordinal);
        var chart = File.ReadAllText(Path.Combine(Helm.Chart, "Chart.yaml"));
        Assert.Contains("artifacthub.io/license: Apache-2.0", chart, StringComparison.Ordinal);
        Assert.Contains("- https://github.com/policywebhook/policy-webhook", chart, StringComparison.Ordinal);
    }

    [Fact]
    public void The_final_stage_is_chiseled_runs_nothing_and_starts_the_server_quietly()
    {
        Assert.StartsWith("\nFROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled ", Runtime, StringComparison.Ordinal);
        // No shell there: no RUN, and the command line's link onto the PATH is made in the build stage and copied.
        Assert.DoesNotMatch(@"(?m)^RUN\b", Runtime);
        Assert.Contains("ln -s /app/policywebhook /out/bin/policywebhook", Dockerfile, StringComparison.Ordinal);
        Assert.Contains("COPY --from=build /out/bin/ /usr/local/bin/", Runtime, StringComparison.Ordinal);
        Assert.Contains("COPY --from=build /out/app /app", Runtime, StringComparison.Ordinal);
        Assert.Contains("<AssemblyName>policywebhook</AssemblyName>", File.ReadAllText(Path.Combine(Helm.Root, "src", "PolicyWebhook.Cli", "PolicyWebhook.Cli.csproj")), StringComparison.Ordinal);

        Assert.Contains("ENTRYPOINT [\"dotnet\", \"/app/PolicyWebhook.Host.dll\"]", Runtime, StringComparison.Ordinal);
        Assert.Contains("WORKDIR /app", Runtime, StringComparison.Ordinal); // appsettings.json is read from the working directory
        Assert.Matches(@"(?m)^\s+ASPNETCORE_HTTP_PORTS=""""\s*$", Runtime);
        Assert.Contains("USER 1654:1654", Runtime, StringComparison.Ordinal);
        Assert.Contains("docker run --rm -p 8443:8443 -p 8080:8080 policy-webhook --dev --Server:Address=0.0.0.0", Dockerfile, StringComparison.Ordinal);
    }

    [Fact]
    public void Both_apps_publish_into_one_folder_without_docs_symbols_web_config_or_the_servers_apphost()
    {
        var publishes = Regex.Matches(Dockerfile, @"dotnet publish (\S+) [^&]*").Select(m => (Project: m.Groups[1].Value, Flags: m.Value)).ToList();
        Assert.Equal(["src/PolicyWebhook.Host/PolicyWebhook.Host.csproj", "src/PolicyWebhook.Cli/PolicyWebhook.Cli.csproj"], publishes.Select(p => p.Project));
        Assert.All(publishes, p =>
        {
            Assert.Contains("-o /out/app ", p.Flags, StringComparison.Ordinal);
            Assert.Contains("-p:PublishDocumentationFiles=false", p.Flags, StringComparison.Ordinal);
            Assert.Contains("-p:DebugType=none", p.Flags, StringComparison.Ordinal);
            Assert.Contains("-p:SatelliteResourceLanguages=en", p.Flags, StringComparison.Ordinal);
            // No MSBuild node or compiler server left behind, whose sockets in /tmp the image builder cannot archive.
            Assert.Contains("--disable-build-servers", p.Flags, StringComparison.Ordinal);
        });
        Assert.Equal(2, Regex.Count(Dockerfile, @"dotnet restore [^&]*--disable-build-servers"));
        Assert.Contains("-p:UseAppHost=false", publishes[0].Flags, StringComparison.Ordinal);
        Assert.Contains("-p:IsTransformWebConfigDisabled=true", publishes[0].Flags, StringComparison.Ordinal);
        // The command line keeps its apphost: /usr/local/bin/policywebhook links to it.
        Assert.DoesNotContain("UseAppHost", publishes[1].Flags, StringComparison.Ordinal);
    }

    [Fact]
    public void The_server_and_the_command_line_agree_on_every_assembly_they_share()
    {
        // In one folder a library both use is one file, so both must want the same one. This test's own output
        // folder holds both apps' deps.json, built from the same restore as the image.
        var server = RuntimeAssets(Path.Combine(AppContext.BaseDirectory, "PolicyWebhook.Host.deps.json"));
        var cli = RuntimeAssets(Path.Combine(AppContext.BaseDirectory, "policywebhook.deps.json"));
        var shared = server.Keys.Intersect(cli.Keys, StringComparer.Ordinal).ToList();
        Assert.Contains("KubernetesClient.dll", shared);
        Assert.Contains("PolicyWebhook.Policies.dll", shared);
        Assert.All(shared, file => Assert.Equal(server[file], cli[file]));
    }

    [Fact]
    public void Every_container_of_the_chart_runs_the_server_or_policywebhook_and_nothing_a_chiseled_image_lacks()
    {
        var rendered = Helm.Template(["certs-chart-values.yaml", "operations-values.yaml"]);
        var pods = rendered.OfKind("Deployment").Select(d => d["spec"]!["template"]!["spec"]!)
            .Concat(rendered.OfKind("CronJob").Select(c => c["spec"]!["jobTemplate"]!["spec"]!["template"]!["spec"]!))
            .Concat(rendered.OfKind("Job").Select(j => j["spec"]!["template"]!["spec"]!))
            .Concat(rendered.OfKind("Pod").Select(p => p["spec"]!))
            .ToList();
        // The webhook, scan, the pre-delete hook, the default-policies hook and helm test's Pod.
        Assert.Equal(5, pods.Count);
        var containers = pods.SelectMany(p => (p["initContainers"]?.AsArray() ?? new JsonArray()).Concat(p["containers"]!.AsArray())).Select(c => c!.AsObject()).ToList();

        // The webhook runs the image's entrypoint; every other container runs the command line by the name the image links.
        var entrypoint = Assert.Single(containers, c => c["command"] is null);
        Assert.Equal("webhook", (string?)entrypoint["name"]);
        Assert.All(containers.Where(c => c["command"] is not null), c => Assert.Equal("policywebhook", (string?)c["command"]![0]));
        Assert.All(containers, c => Assert.Null(c["args"]));

        // No exec probe or hook: there is no shell or sleep binary to run.
        Assert.All(containers, c => Assert.DoesNotContain("\"exec\"", c.ToJsonString(), StringComparison.Ordinal));
    }

    private static Dictionary<string, string> RuntimeAssets(string depsJson)
    {
        var targets = JsonNode.Parse(File.ReadAllText(depsJson))!["targets"]!.AsObject().Single().Value!.AsObject();
        var assets = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (library, entry) in targets)
        {
            foreach (var (path, versions) in entry!["runtime"]?.AsObject() ?? new JsonObject())
            {
                assets[Path.GetFileName(path)] = $"{library} {versions?["assemblyVersion"]} {versions?["fileVersion"]}";
            }
        }

        return assets;
    }

    [GeneratedRegex(@"(?m)^appVersion:\s*""?([^""\s]+)""?\s*$")]
    private static partial Regex AppVersion();

    [GeneratedRegex(@"<Version>([^<]+)</Version>")]
    private static partial Regex MsBuildVersion();

    [GeneratedRegex(@"(?m)^ARG VERSION=(\S+)\s*$")]
    private static partial Regex DockerfileVersion();
}
