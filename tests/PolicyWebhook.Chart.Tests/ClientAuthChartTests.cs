using System.Text.Json.Nodes;

namespace PolicyWebhook.Chart.Tests;

/// <summary>Mutual TLS as the chart wires it: the CA bundle mounted and named to the server, or refused without one.</summary>
public sealed class ClientAuthChartTests
{
    private static JsonNode Pod(Rendered rendered) => rendered.Single("Deployment")["spec"]!["template"]!["spec"]!;

    [Theory]
    [InlineData("caConfigMap", "configMap", "name")]
    [InlineData("caSecret", "secret", "secretName")]
    public void The_ca_bundle_is_mounted_and_named_to_the_server(string value, string source, string nameField)
    {
        var pod = Pod(Helm.Template(set: ["webhook.clientAuth.enabled=true", $"webhook.clientAuth.{value}=apiserver-ca", "webhook.clientAuth.caKey=bundle.pem"]));

        var env = pod["containers"]![0]!["env"]!.AsArray();
        Assert.Equal("/etc/policywebhook/client-ca/bundle.pem", (string?)env.Single(e => (string?)e!["name"] == "Tls__ClientCaFile")!["value"]);
        var volume = pod["volumes"]!.AsArray().Single(v => (string?)v!["name"] == "client-ca")!;
        Assert.Equal("apiserver-ca", (string?)volume[source]![nameField]);
        Assert.Equal("bundle.pem", (string?)volume[source]!["items"]![0]!["key"]);
        Assert.Contains(pod["containers"]![0]!["volumeMounts"]!.AsArray(), m => (string?)m!["name"] == "client-ca" && (string?)m["mountPath"] == "/etc/policywebhook/client-ca" && m["subPath"] is null);
    }

    [Fact]
    public void Helm_test_which_has_no_client_certificate_is_left_out_while_it_is_on()
    {
        Assert.NotEmpty(Helm.Template().OfKind("Pod"));
        Assert.Empty(Helm.Template(set: ["webhook.clientAuth.enabled=true", "webhook.clientAuth.caSecret=a"]).OfKind("Pod"));
    }

    [Fact]
    public void Off_by_default_nothing_is_mounted()
    {
        var pod = Pod(Helm.Template());

        Assert.DoesNotContain(pod["containers"]![0]!["env"]!.AsArray(), e => (string?)e!["name"] == "Tls__ClientCaFile");
        Assert.DoesNotContain(pod["volumes"]!.AsArray(), v => (string?)v!["name"] == "client-ca");
    }

    [Theory]
    [InlineData("")]
    [InlineData("webhook.clientAuth.caSecret=a,webhook.clientAuth.caConfigMap=b")]
    public void Without_exactly_one_ca_source_the_install_is_refused(string sources)
    {
        string[] set = ["webhook.clientAuth.enabled=true", .. sources.Split(',', StringSplitOptions.RemoveEmptyEntries)];

        Assert.Contains("webhook.clientAuth.enabled needs exactly one of webhook.clientAuth.caSecret or webhook.clientAuth.caConfigMap", Helm.TemplateError(set: set), StringComparison.Ordinal);
    }
}
