using System.Text.Json.Nodes;

namespace PolicyWebhook.Chart.Tests;

/// <summary>Sigstore trusted roots as the chart wires them: a ConfigMap mounted and named to the server, and the built-in root switched.</summary>
public sealed class TrustedRootsChartTests
{
    private static JsonNode Pod(Rendered rendered) => rendered.Single("Deployment")["spec"]!["template"]!["spec"]!;

    private static string? Env(JsonNode pod, string name) =>
        (string?)pod["containers"]![0]!["env"]!.AsArray().SingleOrDefault(e => (string?)e!["name"] == name)?["value"];

    [Fact]
    public void A_trusted_roots_configmap_is_mounted_whole_and_named_to_the_server()
    {
        var pod = Pod(Helm.Template(set: ["imageVerification.trustedRootsConfigMap=private-sigstore", "imageVerification.trustEmbeddedRoot=false"]));

        Assert.Equal("/etc/policywebhook/trusted-roots", Env(pod, "ImageVerification__TrustedRootsDirectory"));
        Assert.Equal("false", Env(pod, "ImageVerification__TrustEmbeddedRoot"));
        var volume = pod["volumes"]!.AsArray().Single(v => (string?)v!["name"] == "trusted-roots")!;
        Assert.Equal("private-sigstore", (string?)volume["configMap"]!["name"]);
        // Whole, not by subPath: every *.json key of the ConfigMap is a root.
        Assert.Contains(pod["containers"]![0]!["volumeMounts"]!.AsArray(), m => (string?)m!["name"] == "trusted-roots" && (string?)m["mountPath"] == "/etc/policywebhook/trusted-roots" && m["subPath"] is null && (bool?)m["readOnly"] == true);
    }

    [Fact]
    public void By_default_only_the_built_in_root_is_trusted()
    {
        var pod = Pod(Helm.Template());

        Assert.Null(Env(pod, "ImageVerification__TrustedRootsDirectory"));
        Assert.Equal("true", Env(pod, "ImageVerification__TrustEmbeddedRoot"));
        Assert.DoesNotContain(pod["volumes"]!.AsArray(), v => (string?)v!["name"] == "trusted-roots");
    }
}
