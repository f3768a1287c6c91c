namespace PolicyWebhook.Chart.Tests;

/// <summary>deploy/policy-webhook.yaml, for kubectl users, is the chart rendered: a test fails when the two drift apart.</summary>
public sealed class PlainManifestTests
{
    [Fact]
    public void The_plain_manifests_are_the_chart_rendered_by_tools_render_manifests()
    {
        var (code, rendered, error) = Helm.Exec("bash", Path.Combine(Helm.Root, "tools", "render-manifests.sh"), "--stdout");
        Assert.True(code == 0, error);

        var committed = File.ReadAllText(Path.Combine(Helm.Root, "deploy", "policy-webhook.yaml"));
        Assert.True(
            committed == rendered,
            "deploy/policy-webhook.yaml differs from the chart: run tools/render-manifests.sh and commit the result.");
    }

    [Fact]
    public void The_plain_manifests_hold_the_crds_and_the_server_but_no_helm_hook_and_no_private_key()
    {
        var manifests = new Rendered(File.ReadAllText(Path.Combine(Helm.Root, "deploy", "policy-webhook.yaml")));
        Assert.Equal(3, manifests.OfKind("CustomResourceDefinition").Count());
        Assert.Single(manifests.OfKind("Deployment"));
        Assert.Single(manifests.OfKind("ValidatingWebhookConfiguration"));
        Assert.Equal("restricted", (string?)manifests.Single("Namespace")["metadata"]!["labels"]!["pod-security.kubernetes.io/enforce"]);

        // A hook applied by kubectl would run at once: the pre-delete Job would delete the webhooks it installs.
        Assert.DoesNotContain(manifests.Objects, o => o["metadata"]!["annotations"]?["helm.sh/hook"] is not null);
        Assert.Empty(manifests.OfKind("Secret"));
        Assert.DoesNotContain("PRIVATE KEY", manifests.Text, StringComparison.Ordinal);
    }
}
