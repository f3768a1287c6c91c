using PolicyWebhook.Engine;
using PolicyWebhook.Host.Admission;

namespace PolicyWebhook.Host.Tests;

public sealed class DecoratorTests
{
    private static readonly AdmissionOutcome Handled = new(AdmissionResponse.Allow, "handled", []);

    private static AdmissionRequest Request(string operation = "CREATE", string kind = "Pod", string group = "", string @namespace = "shop", string subResource = "")
    {
        return new AdmissionRequest
        {
            ApiVersion = "admission.k8s.io/v1",
            Uid = "u",
            Group = group,
            Version = "v1",
            Kind = kind,
            Operation = operation,
            Namespace = @namespace,
            SubResource = subResource,
            ObjectJson = "{}"u8.ToArray(),
        };
    }

    [Theory]
    [InlineData("DELETE", "Pod", "", "")]
    [InlineData("CONNECT", "Pod", "", "")]
    [InlineData("CREATE", "ConfigMap", "", "")]
    [InlineData("CREATE", "Deployment", "example.com", "")]
    [InlineData("UPDATE", "Pod", "", "status")]
    [InlineData("UPDATE", "Deployment", "apps", "scale")]
    public void RequestFilter_NotThisWebhooksBusiness_IsSkipped(string operation, string kind, string group, string subResource)
    {
        var handler = RequestFilter.Wrap(_ => Handled);

        Assert.Equal(Decisions.Skipped, handler(Request(operation, kind, group, subResource: subResource)).Decision);
    }

    [Theory]
    [InlineData("CREATE", "Pod", "", "")]
    [InlineData("UPDATE", "Pod", "", "ephemeralcontainers")]
    [InlineData("CREATE", "CronJob", "batch", "")]
    public void RequestFilter_Workload_ReachesTheHandler(string operation, string kind, string group, string subResource)
    {
        var handler = RequestFilter.Wrap(_ => Handled);

        Assert.Equal("handled", handler(Request(operation, kind, group, subResource: subResource)).Decision);
    }

    [Fact]
    public void ExemptNamespaces_ListedNamespace_IsExemptOthersAreHandled()
    {
        var handler = ExemptNamespaces.Wrap(_ => Handled, new HashSet<string> { "kube-system" });

        Assert.Equal(Decisions.Exempt, handler(Request(@namespace: "kube-system")).Decision);
        Assert.Equal("handled", handler(Request(@namespace: "kube-public")).Decision);
    }

    [Fact]
    public void UnreadableText_InvalidOperation_IsAnInvalidObjectDenial()
    {
        var handler = UnreadableText.Wrap(_ => throw new InvalidOperationException("Cannot read incomplete UTF-16 JSON text"));

        var outcome = handler(Request());

        Assert.Equal(Decisions.Invalid, outcome.Decision);
        Assert.Equal(400, outcome.Response.Code);
        Assert.Equal("Pod \"(unnamed)\" could not be read: a field holds a string that is not valid text (a lone surrogate escape)", outcome.Response.Message);
    }

    [Fact]
    public void Options_DefaultExemptions_AreKubeSystemAndTheOwnNamespace()
    {
        var options = new AdmissionOptions { OwnNamespace = "policy-webhook" };

        Assert.Equal(["kube-system", "policy-webhook"], options.EffectiveExemptNamespaces().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Options_ConfiguredExemptions_ReplaceKubeSystemButKeepTheOwnNamespace()
    {
        var options = new AdmissionOptions { OwnNamespace = "pw", ExemptNamespaces = ["monitoring"] };

        Assert.Equal(["monitoring", "pw"], options.EffectiveExemptNamespaces().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Outcome_Mode_IsTheStrongestAmongViolations()
    {
        var policy = new PolicyReference("ClusterPolicy", "p");
        Violation V(PolicyMode mode) => new(policy, "c", mode, "spec", "m", "", "");

        Assert.Equal("none", new AdmissionOutcome(AdmissionResponse.Allow, "allowed", []).Mode);
        Assert.Equal("audit", new AdmissionOutcome(AdmissionResponse.Allow, "allowed", [V(PolicyMode.Audit)]).Mode);
        Assert.Equal("warn", new AdmissionOutcome(AdmissionResponse.Allow, "allowed", [V(PolicyMode.Audit), V(PolicyMode.Warn)]).Mode);
        Assert.Equal("enforce", new AdmissionOutcome(AdmissionResponse.Allow, "denied", [V(PolicyMode.Warn), V(PolicyMode.Enforce)]).Mode);
    }

    [Fact]
    public void Warning_LongViolation_DropsThePathThenShortensTo120()
    {
        var policy = new PolicyReference("ClusterPolicy", "restricted");
        var shortOne = new Violation(policy, "hostPorts", PolicyMode.Warn, "spec.containers[0].ports[0].hostPort", "container \"a\" must not set hostPort=80", "", "");
        var longOne = shortOne with { Message = new string('m', 200) };

        Assert.Equal("restricted: hostPorts: container \"a\" must not set hostPort=80 at spec.containers[0].ports[0].hostPort", VerdictResponse.Warning(shortOne));
        Assert.Equal(120, VerdictResponse.Warning(longOne).Length);
        Assert.EndsWith("...", VerdictResponse.Warning(longOne), StringComparison.Ordinal);
    }
}
