using System.Text.Json.Nodes;
using PolicyWebhook.Engine.Workloads;

namespace PolicyWebhook.Chart.Tests;

/// <summary>The rendered webhook configurations: what the API server sends, where, and what it does when no one answers.</summary>
public sealed class WebhookConfigurationTests
{
    private const string Pods = "validate.pods.policywebhook.io";
    private const string PolicyResources = "validate.policies.policywebhook.io";
    private const string ClusterPolicies = "validate.clusterpolicies.policywebhook.io";
    private const string Mutate = "mutate.pods.policywebhook.io";

    private static string[] Exempt(JsonObject webhook)
    {
        var expression = Assert.Single(webhook["namespaceSelector"]!["matchExpressions"]!.AsArray())!;
        Assert.Equal("kubernetes.io/metadata.name", (string?)expression["key"]);
        Assert.Equal("NotIn", (string?)expression["operator"]);
        return [.. expression["values"]!.AsArray().Select(v => (string)v!)];
    }

    [Fact]
    public void The_release_namespace_and_kube_system_are_always_exempt()
    {
        var rendered = Helm.Template();
        Assert.Equal([Helm.Namespace, "kube-system"], Exempt(rendered.Webhook(Pods)));

        var elsewhere = Helm.Template(ns: "security");
        Assert.Equal(["security", "kube-system"], Exempt(elsewhere.Webhook(Pods)));
    }

    [Fact]
    public void Configured_exemptions_are_added_to_every_pod_webhook_and_the_server_knows_the_same_set()
    {
        var rendered = Helm.Template(["mutation-values.yaml"]);
        string[] expected = [Helm.Namespace, "kube-system", "monitoring", "cert-manager"];
        Assert.Equal(expected, Exempt(rendered.Webhook(Pods)));
        Assert.Equal(expected, Exempt(rendered.Webhook(Mutate)));

        // The server exempts the same namespaces itself, so a request that reaches it anyway is treated alike.
        var env = rendered.Single("Deployment")["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray();
        var serverSide = env.Where(e => ((string)e!["name"]!).StartsWith("Admission__ExemptNamespaces__", StringComparison.Ordinal))
            .OrderBy(e => (string)e!["name"]!, StringComparer.Ordinal).Select(e => (string)e!["value"]!);
        Assert.Equal(expected, serverSide);
    }

    [Fact]
    public void Defaults_fail_closed_within_five_seconds_and_speak_only_admission_v1()
    {
        var rendered = Helm.Template();
        foreach (var name in new[] { Pods, PolicyResources, ClusterPolicies })
        {
            var webhook = rendered.Webhook(name);
            Assert.Equal("Fail", (string?)webhook["failurePolicy"]);
            Assert.Equal(5, (int)webhook["timeoutSeconds"]!);
            Assert.Equal("None", (string?)webhook["sideEffects"]);
            Assert.Equal(["v1"], webhook["admissionReviewVersions"]!.AsArray().Select(v => (string)v!));
        }
    }

    [Fact]
    public void Failure_policy_and_timeout_follow_the_values()
    {
        Assert.Equal("Ignore", (string?)Helm.Template(["ha-off-values.yaml"]).Webhook(Pods)["failurePolicy"]);
        var mutation = Helm.Template(["mutation-values.yaml"]);
        Assert.Equal(3, (int)mutation.Webhook(Pods)["timeoutSeconds"]!);
        Assert.Equal(3, (int)mutation.Webhook(Mutate)["timeoutSeconds"]!);
        Assert.Equal("Fail", (string?)mutation.Webhook(Mutate)["failurePolicy"]);
        Assert.Equal("Ignore", (string?)Helm.Template(set: ["mutation.enabled=true"]).Webhook(Mutate)["failurePolicy"]);
    }

    [Fact]
    public void Every_kind_the_engine_reads_a_pod_spec_from_is_sent_on_create_and_update()
    {
        var rendered = Helm.Template(["mutation-values.yaml"]);
        var plurals = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Pod"] = "pods",
            ["Deployment"] = "deployments",
            ["ReplicaSet"] = "replicasets",
            ["StatefulSet"] = "statefulsets",
            ["DaemonSet"] = "daemonsets",
            ["Job"] = "jobs",
            ["CronJob"] = "cronjobs",
            ["ReplicationController"] = "replicationcontrollers",
            ["PodTemplate"] = "podtemplates",
        };
        foreach (var name in new[] { Pods, Mutate })
        {
            var rules = rendered.Webhook(name)["rules"]!.AsArray();
            var resources = rules.SelectMany(r => r!["resources"]!.AsArray().Select(x => (string)x!)).ToHashSet(StringComparer.Ordinal);
            foreach (var kind in PodSpecLocator.Kinds.Keys)
            {
                Assert.True(resources.Contains(plurals[kind]), $"{name} does not send {kind}");
            }

            Assert.Contains("pods/ephemeralcontainers", resources);
            Assert.All(rules, r => Assert.Equal(["CREATE", "UPDATE"], r!["operations"]!.AsArray().Select(o => (string)o!)));
        }
    }

    [Fact]
    public void The_mutating_webhook_exists_only_when_mutation_is_on_and_is_reinvoked_if_needed()
    {
        Assert.Empty(Helm.Template().OfKind("MutatingWebhookConfiguration"));
        var webhook = Helm.Template(["mutation-values.yaml"]).Webhook(Mutate);
        Assert.Equal("IfNeeded", (string?)webhook["reinvocationPolicy"]);
        Assert.Equal("/mutate", (string?)webhook["clientConfig"]!["service"]!["path"]);
        Assert.Equal("policywebhook.io/ignore", (string?)webhook["objectSelector"]!["matchExpressions"]![0]!["key"]);
    }

    [Fact]
    public void Each_webhook_calls_its_own_path_on_the_release_service()
    {
        var rendered = Helm.Template(["mutation-values.yaml"]);
        var service = rendered.Single("Service");
        Assert.Contains(service["spec"]!["ports"]!.AsArray(), p => (int)p!["port"]! == 443 && (string?)p["targetPort"] == "https");
        foreach (var (name, path) in new[] { (Pods, "/validate"), (PolicyResources, "/validate-policy"), (ClusterPolicies, "/validate-policy"), (Mutate, "/mutate") })
        {
            var target = rendered.Webhook(name)["clientConfig"]!["service"]!;
            Assert.Equal((string?)service["metadata"]!["name"], (string?)target["name"]);
            Assert.Equal(Helm.Namespace, (string?)target["namespace"]);
            Assert.Equal(443, (int)target["port"]!);
            Assert.Equal(path, (string?)target["path"]);
        }
    }

    [Fact]
    public void Url_mode_points_every_webhook_at_the_url_and_installs_no_server()
    {
        var rendered = Helm.Template(["url-mode-values.yaml", "mutation-values.yaml"]);
        Assert.Equal(4, rendered.Webhooks().Count());
        foreach (var (name, path) in new[] { (Pods, "/validate"), (PolicyResources, "/validate-policy"), (ClusterPolicies, "/validate-policy"), (Mutate, "/mutate") })
        {
            var clientConfig = rendered.Webhook(name)["clientConfig"]!.AsObject();
            Assert.Equal("https://192.168.49.1:8443" + path, (string?)clientConfig["url"]);
            Assert.False(clientConfig.ContainsKey("service"));
            Assert.False(string.IsNullOrEmpty((string?)clientConfig["caBundle"]));
        }

        Assert.Empty(rendered.OfKind("Deployment"));
        Assert.Empty(rendered.OfKind("Service"));
        Assert.Empty(rendered.OfKind("PodDisruptionBudget"));
    }

    [Fact]
    public void Policies_and_exceptions_are_always_validated_and_no_label_skips_it()
    {
        var rendered = Helm.Template(["certs-chart-values.yaml"]);
        var namespaced = rendered.Webhook(PolicyResources);
        Assert.Equal(["policies", "policyexceptions"], Assert.Single(namespaced["rules"]!.AsArray())!["resources"]!.AsArray().Select(r => (string)r!));
        var cluster = rendered.Webhook(ClusterPolicies);
        Assert.Equal(["clusterpolicies"], Assert.Single(cluster["rules"]!.AsArray())!["resources"]!.AsArray().Select(r => (string)r!));
        // A label any policy author can set must not switch the check off.
        Assert.Null(namespaced["objectSelector"]);
        Assert.Null(cluster["objectSelector"]);

        // The chart's default policies go through the check too: a hook applies them once a replica can answer.
        var hook = rendered.OfKind("Job").Single(j => (string?)j["metadata"]!["labels"]!["app.kubernetes.io/component"] == "default-policies");
        Assert.Equal("post-install,post-upgrade", (string?)hook["metadata"]!["annotations"]!["helm.sh/hook"]);
        var command = hook["spec"]!["template"]!["spec"]!["containers"]![0]!["command"]!.AsArray().Select(c => (string)c!).ToList();
        Assert.Equal(["policywebhook", "apply-policies", "--file", "/etc/policywebhook/defaults", "--timeout", "00:04:00"], command);
        var off = Helm.Template(set: ["webhook.policyValidation.enabled=false"]).Webhooks().Select(w => (string?)w["name"]).ToList();
        Assert.DoesNotContain(PolicyResources, off);
        Assert.DoesNotContain(ClusterPolicies, off);
    }
}
