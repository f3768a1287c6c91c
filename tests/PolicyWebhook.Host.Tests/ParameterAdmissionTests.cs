namespace PolicyWebhook.Host.Tests;

/// <summary>A policy's parameters hold in the webhook as in the command line: what they allow is admitted, the rest denied.</summary>
public sealed class ParameterAdmissionTests
{
    private const string Policy = """
        apiVersion: policywebhook.io/v1alpha1
        kind: ClusterPolicy
        metadata:
          name: host-logs
        spec:
          podSecurity:
            level: baseline
            parameters:
              hostPathVolumes:
                allowed: [{pathPrefix: /var/log, readOnly: true}]
        """;

    private static System.Text.Json.Nodes.JsonObject PodWithHostPath(string path, bool readOnly)
    {
        var pod = Reviews.Pod(container: $$"""
            "volumeMounts":[{"name":"logs","mountPath":"/logs","readOnly":{{(readOnly ? "true" : "false")}}}]
            """);
        pod["spec"]!["volumes"] = System.Text.Json.Nodes.JsonNode.Parse($$$"""[{"name":"logs","hostPath":{"path":"{{{path}}}"}}]""");
        return pod;
    }

    [Fact]
    public async Task Validate_HostPathUnderReadOnlyPrefix_IsAllowedOnlyWhenMountedReadOnly()
    {
        using var factory = WebhookFactory.WithPolicies(out _, ("host-logs.yaml", Policy));
        var client = factory.CreateClient();

        var allowed = await WebhookFactory.ReviewAsync(client, "/validate", Reviews.Of(PodWithHostPath("/var/log/app", readOnly: true)));
        var writable = await WebhookFactory.ReviewAsync(client, "/validate", Reviews.Of(PodWithHostPath("/var/log/app", readOnly: false)));
        var escaping = await WebhookFactory.ReviewAsync(client, "/validate", Reviews.Of(PodWithHostPath("/var/log/../../etc", readOnly: true)));

        Assert.True(allowed["allowed"]!.GetValue<bool>());
        Assert.False(writable["allowed"]!.GetValue<bool>());
        Assert.Contains("must mount hostPath volume \"logs\" with readOnly=true", writable["status"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.False(escaping["allowed"]!.GetValue<bool>());
        Assert.Contains("(that is \"/etc\")", escaping["status"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
