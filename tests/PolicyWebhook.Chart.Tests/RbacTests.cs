using System.Text.Json.Nodes;

namespace PolicyWebhook.Chart.Tests;

/// <summary>
/// Every API call each component of the chart makes, as a table, checked against the Roles the chart renders for
/// that component's ServiceAccount: a call the RBAC would refuse (as `scan --namespace` once was) fails here, not
/// in a cluster.
/// </summary>
public sealed class RbacTests
{
    /// <summary>One API call: its group, resource, verb, the object's name when the call names one, and the namespace when it is namespaced.</summary>
    public sealed record Call(string Group, string Resource, string Verb, string? Name = null, string? Namespace = null)
    {
        public override string ToString() => $"{Verb} {(Group.Length == 0 ? "" : Group + "/")}{Resource}{(Name is null ? "" : "/" + Name)}{(Namespace is null ? "" : " in " + Namespace)}";
    }

    private const string Release = Helm.Release;
    private const string Ns = Helm.Namespace;

    /// <summary>What each component calls, from its code: the cluster watcher, the status writer and its Lease, scan, the hooks.</summary>
    public static TheoryData<string, string, string[]> Components() => new()
    {
        {
            "the webhook (ClusterPolicySource, PolicyStatusWriter, LeaseElector)",
            $"{Release}-policy-webhook",
            [
                "policywebhook.io clusterpolicies list", "policywebhook.io clusterpolicies watch",
                "policywebhook.io policies list", "policywebhook.io policies watch",
                "policywebhook.io policyexceptions list", "policywebhook.io policyexceptions watch",
                " namespaces list", " namespaces watch",
                "policywebhook.io clusterpolicies/status patch", "policywebhook.io policies/status patch", "policywebhook.io policyexceptions/status patch",
                $"coordination.k8s.io leases get {Release}-policy-webhook-status {Ns}",
                $"coordination.k8s.io leases create - {Ns}",
                $"coordination.k8s.io leases update {Release}-policy-webhook-status {Ns}",
            ]
        },
        {
            "the webhook's policy reports (PolicyReporter, WorkloadAudit, WorkloadChangeWatch), with reports.enabled",
            $"{Release}-policy-webhook",
            [
                "apps deployments list", "apps statefulsets list", "apps daemonsets list", "apps replicasets list",
                "batch cronjobs list", "batch jobs list", " replicationcontrollers list", " pods list",
                "apps deployments watch", "apps statefulsets watch", "apps daemonsets watch", "apps replicasets watch",
                "batch cronjobs watch", "batch jobs watch", " replicationcontrollers watch", " pods watch",
                "wgpolicyk8s.io policyreports create policywebhook shop", "wgpolicyk8s.io policyreports patch policywebhook shop",
                "wgpolicyk8s.io policyreports delete policywebhook shop", "wgpolicyk8s.io policyreports list",
            ]
        },
        {
            "the webhook's namespace isolation (ClusterPolicySource's NetworkPolicy watch, NetworkPolicyGenerator), with networkIsolation.enabled and generate",
            $"{Release}-policy-webhook",
            [
                "networking.k8s.io networkpolicies list", "networking.k8s.io networkpolicies watch",
                "networking.k8s.io networkpolicies create - shop", "networking.k8s.io networkpolicies delete policywebhook-default-deny shop",
            ]
        },
        {
            "scan's namespace isolation (ClusterScanner), with networkIsolation.enabled",
            $"{Release}-policy-webhook-scan",
            ["networking.k8s.io networkpolicies list", "networking.k8s.io networkpolicies list - shop"]
        },
        {
            "scan (ClusterScanner)",
            $"{Release}-policy-webhook-scan",
            [
                "policywebhook.io clusterpolicies list", "policywebhook.io policies list", "policywebhook.io policyexceptions list",
                " namespaces list", " namespaces get shop",
                "apps deployments list", "apps statefulsets list", "apps daemonsets list", "apps replicasets list",
                "batch cronjobs list", "batch jobs list", " replicationcontrollers list", " pods list",
            ]
        },
        {
            "the pre-delete hook (uninstall-webhooks, apply-policies --delete)",
            $"{Release}-policy-webhook-uninstall",
            [
                "admissionregistration.k8s.io validatingwebhookconfigurations list", "admissionregistration.k8s.io mutatingwebhookconfigurations list",
                $"admissionregistration.k8s.io validatingwebhookconfigurations delete {Release}-policy-webhook",
                $"admissionregistration.k8s.io mutatingwebhookconfigurations delete {Release}-policy-webhook",
                $"policywebhook.io clusterpolicies delete {Release}-policy-webhook-pss-baseline",
                $"policywebhook.io clusterpolicies delete {Release}-policy-webhook-pss-restricted",
            ]
        },
        {
            "the default-policies hook (apply-policies --file: server-side apply)",
            $"{Release}-policy-webhook-defaults",
            [
                $"policywebhook.io clusterpolicies patch {Release}-policy-webhook-pss-baseline",
                $"policywebhook.io clusterpolicies create {Release}-policy-webhook-pss-baseline",
                $"policywebhook.io clusterpolicies patch {Release}-policy-webhook-pss-restricted",
                $"policywebhook.io clusterpolicies create {Release}-policy-webhook-pss-restricted",
            ]
        },
    };

    [Theory]
    [MemberData(nameof(Components))]
    public void Every_call_a_component_makes_is_allowed_by_its_rendered_roles(string component, string serviceAccount, string[] calls)
    {
        var rendered = Helm.Template(["mutation-values.yaml"], AllOn);
        var rules = RulesOf(rendered, serviceAccount);
        Assert.True(rules.Count > 0, $"{component}: no role is bound to {serviceAccount}");

        var refused = calls.Select(Parse).Where(call => !rules.Any(r => Allows(r.Rule, r.Namespace, call))).ToList();

        Assert.True(refused.Count == 0, $"{component} ({serviceAccount}) would be refused: {string.Join("; ", refused)}");
    }

    [Fact]
    public void The_roles_grant_nothing_beyond_the_calls_made()
    {
        // The other way round: every verb on every resource granted is one the table says a component uses.
        var rendered = Helm.Template(["mutation-values.yaml"], AllOn);
        var table = Components().Select(d => ((string)d.Data.Item2, (string[])d.Data.Item3)).ToList();
        foreach (var serviceAccount in table.Select(t => t.Item1).Distinct())
        {
            var made = table.Where(t => t.Item1 == serviceAccount).SelectMany(t => t.Item2).Select(Parse).ToList();
            foreach (var (rule, _) in RulesOf(rendered, serviceAccount))
            {
                foreach (var resource in Strings(rule["resources"]))
                {
                    foreach (var verb in Strings(rule["verbs"]))
                    {
                        Assert.True(
                            made.Any(c => c.Resource == resource && c.Verb == verb && Strings(rule["apiGroups"]).Contains(c.Group)),
                            $"{serviceAccount} is granted {verb} on {resource}, which no call in the table makes");
                    }
                }
            }
        }
    }

    [Fact]
    public void The_webhook_may_list_workloads_and_write_reports_only_when_reports_are_on()
    {
        static List<string> Granted(Rendered rendered) =>
            [.. RulesOf(rendered, $"{Release}-policy-webhook").SelectMany(r => Strings(r.Rule["resources"]).SelectMany(res => Strings(r.Rule["verbs"]).Select(v => $"{res}:{v}")))];

        Assert.DoesNotContain("pods:list", Granted(Helm.Template()));
        Assert.DoesNotContain(Granted(Helm.Template()), g => g.StartsWith("policyreports", StringComparison.Ordinal));
        Assert.Contains("pods:list", Granted(Helm.Template(set: ["reports.enabled=true"])));
        Assert.Contains("reports:patch", Granted(Helm.Template(set: ["reports.enabled=true", "reports.format=OpenReports"])));
    }

    [Fact]
    public void The_webhook_may_touch_network_policies_only_as_far_as_network_isolation_is_on()
    {
        static List<string> Granted(Rendered rendered, string account) =>
            [.. RulesOf(rendered, account).SelectMany(r => Strings(r.Rule["resources"]).SelectMany(res => Strings(r.Rule["verbs"]).Select(v => $"{res}:{v}")))
                .Where(g => g.StartsWith("networkpolicies:", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];
        var webhook = $"{Release}-policy-webhook";
        var scan = $"{Release}-policy-webhook-scan";

        Assert.Empty(Granted(Helm.Template(set: ["scan.enabled=true"]), webhook));
        Assert.Empty(Granted(Helm.Template(set: ["scan.enabled=true"]), scan));
        Assert.Equal(["networkpolicies:list", "networkpolicies:watch"], Granted(Helm.Template(set: ["networkIsolation.enabled=true"]), webhook));
        var generating = Helm.Template(set: ["networkIsolation.enabled=true", "networkIsolation.generate=true", "scan.enabled=true"]);
        Assert.Equal(["networkpolicies:create", "networkpolicies:delete", "networkpolicies:list", "networkpolicies:watch"], Granted(generating, webhook));
        Assert.Equal(["networkpolicies:list"], Granted(generating, scan));
    }

    [Fact]
    public void Network_isolation_settings_reach_the_webhook_only_when_on()
    {
        static List<string> Env(Rendered rendered) =>
            [.. rendered.Single("Deployment", $"{Release}-policy-webhook")["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray().Select(e => (string)e!["name"]!)];

        Assert.DoesNotContain("Policies__Cluster__NetworkPolicies", Env(Helm.Template()));
        Assert.DoesNotContain("NetworkIsolation__Generate", Env(Helm.Template(set: ["networkIsolation.enabled=true"])));
        Assert.Contains("Policies__Cluster__NetworkPolicies", Env(Helm.Template(set: ["networkIsolation.enabled=true"])));
        Assert.Contains("NetworkIsolation__Generate", Env(Helm.Template(set: ["networkIsolation.enabled=true", "networkIsolation.generate=true"])));
        Assert.Contains("networkIsolation.generate needs networkIsolation.enabled=true", Helm.TemplateError(set: ["networkIsolation.generate=true"]), StringComparison.Ordinal);
    }

    /// <summary>Every optional component on, so every account and rule is rendered.</summary>
    private static readonly string[] AllOn = ["scan.enabled=true", "policies.defaults=true", "reports.enabled=true", "networkIsolation.enabled=true", "networkIsolation.generate=true", "webhook.objectSelector=null"];

    private static Call Parse(string text)
    {
        var parts = text.Split(' ');
        return new Call(parts[0], parts[1], parts[2], parts.Length > 3 && parts[3] != "-" ? parts[3] : null, parts.Length > 4 ? parts[4] : null);
    }

    private static List<string> Strings(JsonNode? node) => node?.AsArray().Select(n => (string)n!).ToList() ?? [];

    /// <summary>The rules bound to a ServiceAccount: a ClusterRole's everywhere, a Role's only in its namespace.</summary>
    private static List<(JsonObject Rule, string? Namespace)> RulesOf(Rendered rendered, string serviceAccount)
    {
        var found = new List<(JsonObject, string?)>();
        foreach (var binding in rendered.OfKind("ClusterRoleBinding").Concat(rendered.OfKind("RoleBinding")))
        {
            if (!binding["subjects"]!.AsArray().Any(s => (string?)s!["kind"] == "ServiceAccount" && (string?)s["name"] == serviceAccount && (string?)s["namespace"] == Ns))
            {
                continue;
            }

            var roleKind = (string)binding["roleRef"]!["kind"]!;
            var role = rendered.Single(roleKind, (string)binding["roleRef"]!["name"]!);
            var scope = (string?)binding["kind"] == "RoleBinding" ? (string?)binding["metadata"]!["namespace"] : null;
            found.AddRange(role["rules"]!.AsArray().Select(r => (r!.AsObject(), scope)));
        }

        return found;
    }

    private static bool Allows(JsonObject rule, string? bindingNamespace, Call call)
    {
        if (bindingNamespace is not null && call.Namespace != bindingNamespace)
        {
            return false;
        }

        var names = Strings(rule["resourceNames"]);
        // RBAC cannot limit create (or list and watch) by name: a rule with names never allows them.
        if (names.Count > 0 && (call.Name is null || call.Verb is "create" or "list" or "watch" || !names.Contains(call.Name)))
        {
            return false;
        }

        return Strings(rule["apiGroups"]).Contains(call.Group) && Strings(rule["resources"]).Contains(call.Resource) && Strings(rule["verbs"]).Contains(call.Verb);
    }
}
