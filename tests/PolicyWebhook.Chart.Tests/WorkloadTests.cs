using System.Text.Json.Nodes;
using PolicyWebhook.Cli;

namespace PolicyWebhook.Chart.Tests;

/// <summary>The chart's own pods and permissions: highly available, least-privileged, and judged by its own policy.</summary>
public sealed class WorkloadTests
{
    private static JsonNode PodSpec(Rendered rendered) => rendered.Single("Deployment")["spec"]!["template"]!["spec"]!;

    [Fact]
    public void Three_replicas_spread_across_nodes_with_a_disruption_budget_and_no_unavailable_replica_during_a_rollout()
    {
        var rendered = Helm.Template();
        var deployment = rendered.Single("Deployment");
        Assert.Equal(3, (int)deployment["spec"]!["replicas"]!);
        Assert.Equal(0, (int)deployment["spec"]!["strategy"]!["rollingUpdate"]!["maxUnavailable"]!);
        var spread = PodSpec(rendered)["topologySpreadConstraints"]!.AsArray();
        Assert.Contains(spread, s => (string?)s!["topologyKey"] == "kubernetes.io/hostname");
        Assert.All(spread, s => Assert.Equal(deployment["spec"]!["selector"]!["matchLabels"]!.ToJsonString(), s!["labelSelector"]!["matchLabels"]!.ToJsonString()));

        var budget = rendered.Single("PodDisruptionBudget");
        Assert.Equal(1, (int)budget["spec"]!["maxUnavailable"]!);
        Assert.Equal(deployment["spec"]!["selector"]!["matchLabels"]!.ToJsonString(), budget["spec"]!["selector"]!["matchLabels"]!.ToJsonString());

        var single = Helm.Template(["ha-off-values.yaml"]);
        Assert.Equal(1, (int)single.Single("Deployment")["spec"]!["replicas"]!);
        Assert.Empty(single.OfKind("PodDisruptionBudget"));
        Assert.Null(PodSpec(single)["topologySpreadConstraints"]);
    }

    [Fact]
    public void Probes_resources_and_the_downward_api_are_wired_to_the_server()
    {
        var container = PodSpec(Helm.Template())["containers"]![0]!;
        Assert.Equal("/readyz", (string?)container["readinessProbe"]!["httpGet"]!["path"]);
        Assert.Equal("/healthz", (string?)container["livenessProbe"]!["httpGet"]!["path"]);
        var ports = container["ports"]!.AsArray().ToDictionary(p => (string)p!["name"]!, p => (int)p!["containerPort"]!);
        Assert.Equal(8080, ports[(string)container["readinessProbe"]!["httpGet"]!["port"]!]);
        Assert.Equal(8443, ports["https"]);
        Assert.NotNull(container["resources"]!["requests"]!["cpu"]);
        Assert.NotNull(container["resources"]!["limits"]!["memory"]);
        var env = container["env"]!.AsArray().ToDictionary(e => (string)e!["name"]!, e => e!);
        Assert.Equal("metadata.namespace", (string?)env["POD_NAMESPACE"]["valueFrom"]!["fieldRef"]!["fieldPath"]);
        Assert.Equal("metadata.name", (string?)env["POD_NAME"]["valueFrom"]!["fieldRef"]!["fieldPath"]);
        Assert.Equal("Cluster", (string?)env["Policies__Source"]["value"]);
        Assert.Equal("/tmp", (string?)Assert.Single(container["volumeMounts"]!.AsArray(), m => (string?)m!["name"] == "tmp")!["mountPath"]);

        // A terminating replica keeps serving until its endpoint is gone everywhere, within the grace period: the
        // kubelet sleeps, as the image has no sleep binary to exec.
        Assert.Equal(10, (int)container["lifecycle"]!["preStop"]!["sleep"]!["seconds"]!);
        Assert.Null(container["lifecycle"]!["preStop"]!["exec"]);
        Assert.True((int)PodSpec(Helm.Template())["terminationGracePeriodSeconds"]! > 10);
    }

    [Fact]
    public void The_non_root_user_can_read_the_mounted_key()
    {
        // Secret files belong to root unless the pod has an fsGroup; the key is not world-readable.
        var spec = PodSpec(Helm.Template());
        var security = spec["securityContext"]!;
        Assert.Equal((int)security["runAsGroup"]!, (int)security["fsGroup"]!);
        var mode = Convert.ToInt32((string)Assert.Single(spec["volumes"]!.AsArray(), v => (string?)v!["name"] == "tls")!["secret"]!["defaultMode"]!.ToString(), 8);
        Assert.True((mode & 0b100_000) != 0, "the group cannot read the key");
        Assert.True((mode & 0b000_111) == 0, "others can read the key");
    }

    [Theory]
    [InlineData("--pss", "restricted")]
    [InlineData("--pss", "restricted:v1.27")]
    [InlineData(null, null)] // the built-in least-privilege default: restricted plus resources, a read-only root, no mutable tags
    public void Every_pod_the_chart_runs_passes_the_webhooks_own_check(string? option, string? value)
    {
        // The Deployment, the scan CronJob, the pre-delete Job and the helm test Pod, with every option that adds one.
        var rendered = Helm.Template(["certs-chart-values.yaml", "operations-values.yaml"]);
        string[] kinds = ["Deployment", "CronJob", "Job", "Pod"];
        Assert.All(kinds, k => Assert.NotEmpty(rendered.OfKind(k)));
        var file = Path.Combine(Directory.CreateTempSubdirectory("policywebhook-chart").FullName, "rendered.yaml");
        File.WriteAllText(file, rendered.Text);
        try
        {
            using var output = new StringWriter();
            using var error = new StringWriter();
            string[] args = option is null ? ["check", file] : ["check", option, value!, file];
            var code = CliApp.Run(args, output, error);
            Assert.True(code == CliApp.Allowed, output.ToString() + error);
            foreach (var kind in kinds)
            {
                Assert.Contains($"ALLOWED {kind} ", output.ToString(), StringComparison.Ordinal);
            }

            Assert.DoesNotContain("DENIED", output.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain("[Warn]", output.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
        }
    }

    [Fact]
    public void The_webhook_may_read_policies_and_namespaces_write_status_and_hold_its_lease_and_nothing_else()
    {
        var rendered = Helm.Template();
        var fullname = $"{Helm.Release}-policy-webhook";
        var role = rendered.Single("ClusterRole", fullname);
        var granted = role["rules"]!.AsArray().SelectMany(r => r!["resources"]!.AsArray().SelectMany(res => r["verbs"]!.AsArray().Select(v => $"{res}:{v}"))).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(
            new[]
            {
                "clusterpolicies:list", "clusterpolicies:watch", "policies:list", "policies:watch",
                "policyexceptions:list", "policyexceptions:watch", "clusterpolicies/status:patch", "policies/status:patch",
                "policyexceptions/status:patch", "namespaces:list", "namespaces:watch",
            }.Order(StringComparer.Ordinal),
            granted.Order(StringComparer.Ordinal));

        // The Lease rule is namespaced, and get/update name the one Lease the server is told to use.
        var lease = rendered.Single("Role", fullname + "-leader-election")["rules"]!.AsArray();
        var named = Assert.Single(lease, r => r!["resourceNames"] is not null)!;
        var env = PodSpec(rendered)["containers"]![0]!["env"]!.AsArray();
        Assert.Equal((string?)Assert.Single(env, e => (string?)e!["name"] == "Policies__Status__LeaseName")!["value"], (string?)named["resourceNames"]![0]);
        Assert.Equal(Helm.Namespace, (string?)rendered.Single("Role", fullname + "-leader-election")["metadata"]!["namespace"]);

        // No grant anywhere in the default install lets anything list workloads or read Secrets.
        Assert.DoesNotContain(rendered.OfKind("ClusterRole").Concat(rendered.OfKind("Role")).SelectMany(r => r["rules"]!.AsArray()),
            r => r!["resources"]!.AsArray().Any(x => (string?)x is "pods" or "deployments" or "secrets" or "*") || r["verbs"]!.AsArray().Any(v => (string?)v == "*"));
    }

    [Fact]
    public void Only_an_enabled_scan_may_list_workloads_and_only_under_its_own_account()
    {
        Assert.Null(Helm.Template().Find("ClusterRole", $"{Helm.Release}-policy-webhook-scan"));
        var rendered = Helm.Template(["certs-chart-values.yaml"]);
        var name = $"{Helm.Release}-policy-webhook-scan";
        var rules = rendered.Single("ClusterRole", name)["rules"]!.AsArray();
        // Reading only; what exactly is checked against scan's calls in RbacTests.
        Assert.All(rules, r => Assert.All(r!["verbs"]!.AsArray(), v => Assert.Contains((string)v!, new[] { "get", "list" })));
        Assert.Contains(rules, r => r!["resources"]!.AsArray().Any(x => (string?)x == "deployments"));
        var job = rendered.Single("CronJob")["spec"]!["jobTemplate"]!["spec"]!["template"]!["spec"]!;
        Assert.Equal(name, (string?)job["serviceAccountName"]);
        Assert.Equal(["policywebhook", "scan", "--exclude-namespace", Helm.Namespace, "--exclude-namespace", "kube-system"], job["containers"]![0]!["command"]!.AsArray().Select(c => (string)c!));
        Assert.Equal(name, (string?)rendered.Single("ClusterRoleBinding", name)["subjects"]![0]!["name"]);
    }

    [Fact]
    public void A_scan_with_an_object_selector_on_the_webhook_is_refused_rather_than_reporting_what_the_webhook_never_sees()
    {
        var error = Helm.TemplateError(set: ["scan.enabled=true", "webhook.objectSelector.matchLabels.checked=yes"]);

        Assert.Contains("scan.enabled with webhook.objectSelector would report as \"would be denied\" objects the webhook is never sent", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_pre_delete_hook_removes_exactly_the_releases_webhook_configurations_first()
    {
        var rendered = Helm.Template(["mutation-values.yaml"]);
        var job = rendered.Single("Job");
        Assert.Equal("pre-delete", (string?)job["metadata"]!["annotations"]!["helm.sh/hook"]);
        var command = job["spec"]!["template"]!["spec"]!["containers"]![0]!["command"]!.AsArray().Select(c => (string)c!).ToList();
        Assert.Equal(["policywebhook", "uninstall-webhooks", "--selector"], command.Take(3));

        // The selector matches the labels of both configurations, and nothing the chart labels differently.
        var selector = command[3].Split(',').Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);
        var configurations = rendered.OfKind("ValidatingWebhookConfiguration").Concat(rendered.OfKind("MutatingWebhookConfiguration")).ToList();
        Assert.Equal(2, configurations.Count);
        foreach (var configuration in configurations)
        {
            var labels = configuration["metadata"]!["labels"]!.AsObject();
            Assert.All(selector, s => Assert.Equal(s.Value, (string?)labels[s.Key]));
        }

        // Its account may delete only those names, and its RBAC exists before the Job runs.
        var role = rendered.Single("ClusterRole", $"{Helm.Release}-policy-webhook-uninstall");
        var delete = Assert.Single(role["rules"]!.AsArray(), r => r!["verbs"]!.AsArray().Any(v => (string?)v == "delete") && r["apiGroups"]![0]!.GetValue<string>() == "admissionregistration.k8s.io")!;
        Assert.Equal(configurations.Select(c => (string)c["metadata"]!["name"]!).Distinct(), delete["resourceNames"]!.AsArray().Select(n => (string)n!));
        Assert.True(int.Parse((string)role["metadata"]!["annotations"]!["helm.sh/hook-weight"]!, System.Globalization.CultureInfo.InvariantCulture)
            < int.Parse((string)job["metadata"]!["annotations"]!["helm.sh/hook-weight"]!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("pre-delete", (string?)role["metadata"]!["annotations"]!["helm.sh/hook"]);
    }

    [Fact]
    public void Operations_options_render_their_objects_against_the_servers_metric_names()
    {
        var rendered = Helm.Template(["operations-values.yaml"]);
        var policy = rendered.Single("NetworkPolicy");
        Assert.Equal(["Ingress", "Egress"], policy["spec"]!["policyTypes"]!.AsArray().Select(t => (string)t!));
        Assert.Equal("http-metrics", (string?)rendered.Single("ServiceMonitor")["spec"]!["endpoints"]![0]!["port"]);
        var alerts = rendered.Single("PrometheusRule")["spec"]!["groups"]![0]!["rules"]!.AsArray();
        Assert.Equal(
            ["PolicyWebhookAdmissionErrors", "PolicyWebhookSlowAnswers", "PolicyWebhookReplicasMissing", "PolicyWebhookDown",
             "PolicyWebhookCertificateExpiresSoon", "PolicyWebhookCertificateExpiring", "PolicyWebhookSigstoreTrustEnds", "PolicyWebhookLoopFailing", "PolicyWebhookUnreachable"],
            alerts.Select(a => (string)a!["alert"]!));
        Assert.Contains("error|unavailable", (string?)alerts[0]!["expr"], StringComparison.Ordinal);
        Assert.Equal("critical", (string?)alerts[3]!["labels"]!["severity"]);
        Assert.Equal("warning", (string?)alerts[2]!["labels"]!["severity"]);
        Assert.Contains("policywebhook_admission_requests_total", (string?)alerts[0]!["expr"], StringComparison.Ordinal);
        Assert.Contains("policywebhook_admission_duration_seconds_bucket", (string?)alerts[1]!["expr"], StringComparison.Ordinal);

        var container = PodSpec(rendered)["containers"]![0]!;
        Assert.EndsWith("@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", (string?)container["image"], StringComparison.Ordinal);
        var env = container["env"]!.AsArray().ToDictionary(e => (string)e!["name"]!, e => (string?)e!["value"]);
        Assert.Equal("http://otel-collector.monitoring:4317", env["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        Assert.Equal("0.1", env["OTEL_TRACES_SAMPLER_ARG"]);
        Assert.DoesNotContain(PodSpec(Helm.Template())["containers"]![0]!["env"]!.AsArray(), e => (string?)e!["name"] == "OTEL_EXPORTER_OTLP_ENDPOINT");
    }

    [Fact]
    public void A_long_release_name_still_gives_valid_object_names()
    {
        var release = new string('a', 53);
        var (code, output, error) = Helm.Run("template", release, Helm.Chart, "--namespace", Helm.Namespace,
            "--values", Helm.CiValues("certs-chart-values.yaml"), "--values", Helm.CiValues("certs-cert-manager-values.yaml"));
        Assert.True(code == 0, error);
        var rendered = new Rendered(output);
        foreach (var o in rendered.Objects.Where(o => (string?)o["kind"] != "CustomResourceDefinition"))
        {
            var name = (string)o["metadata"]!["name"]!;
            var limit = (string?)o["kind"] switch { "CronJob" => 52, "ClusterPolicy" => 253, _ => 63 };
            Assert.True(name.Length <= limit, $"{o["kind"]} {name} is {name.Length} characters, over {limit}");
            Assert.Matches("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", name);
        }

        // The suffixed names of one release stay distinct, and the Lease the server is told matches its RBAC.
        var names = rendered.Objects.Select(o => $"{o["kind"]}/{o["metadata"]!["name"]}").ToList();
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
        var lease = (string?)Assert.Single(PodSpec(rendered)["containers"]![0]!["env"]!.AsArray(), e => (string?)e!["name"] == "Policies__Status__LeaseName")!["value"];
        Assert.Contains(rendered.OfKind("Role"), r => r["rules"]!.AsArray().Any(x => (string?)x!["resourceNames"]?[0] == lease));
    }
}
