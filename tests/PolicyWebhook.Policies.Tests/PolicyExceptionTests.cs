using PolicyWebhook.Engine;
using PolicyWebhook.Engine.Workloads;
using PolicyWebhook.Policies.Validation;

namespace PolicyWebhook.Policies.Tests;

public sealed class PolicyExceptionTests
{
    private static string Exception(string spec) =>
        $"apiVersion: policywebhook.io/v1alpha1\nkind: PolicyException\nmetadata:\n  name: legacy-root\n  namespace: billing\nspec:\n{spec}";

    private static string Expiry(int days) => DateTimeOffset.UtcNow.AddDays(days).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);

    private const string Policy = "apiVersion: policywebhook.io/v1alpha1\nkind: ClusterPolicy\nmetadata:\n  name: restricted\nspec:\n  podSecurity:\n    level: restricted\n---\n";

    [Fact]
    public void Load_ExceptionMissingEverything_ListsEveryRequirement()
    {
        var error = Assert.Throws<PolicyLoadException>(() => PolicyLoader.LoadAllText(Exception("  checks: [runAsRoot]\n"), "e.yaml"));

        Assert.Equal(
            [
                "e.yaml:6: spec.policy: name the policy whose checks are waived (kind and name)",
                "e.yaml:7: spec.checks[0]: \"runAsRoot\" is not a check id (run 'policywebhook checks list')",
                "e.yaml:6: spec.match: select the objects waived by names or objectSelector; an exception never covers a whole namespace",
                "e.yaml:6: spec.justification: say why the waiver is needed, in at least 20 characters, for whoever reviews it",
                $"e.yaml:6: spec.expiresAt: required: when the waiver ends, such as {DateTimeOffset.UtcNow.AddDays(30):yyyy-MM-dd}T00:00:00Z",
            ],
            error.Problems);
    }

    [Fact]
    public void Load_ExpiryBeyondNinetyDays_IsRefusedSayingTheLatestAllowed()
    {
        var yaml = Exception($"  policy: {{name: restricted}}\n  checks: [runAsNonRoot]\n  match: {{names: [legacy-billing]}}\n  justification: vendor image runs as root until 3.0\n  expiresAt: \"{Expiry(120)}\"\n");

        var problem = Assert.Single(Assert.Throws<PolicyLoadException>(() => PolicyLoader.LoadAllText(yaml, "e.yaml")).Problems);

        Assert.StartsWith("e.yaml:11: spec.expiresAt: ", problem, StringComparison.Ordinal);
        Assert.EndsWith($"is more than 90 days ahead; the latest allowed today is {DateTimeOffset.UtcNow.AddDays(90):yyyy-MM-dd}", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ExceptionForEveryObject_IsRefused()
    {
        var yaml = Exception($"  policy: {{name: restricted}}\n  checks: [runAsNonRoot]\n  match:\n    names: [\"*\"]\n    objectSelector: {{}}\n  justification: vendor image runs as root until 3.0\n  expiresAt: \"{Expiry(10)}\"\n");

        var problems = Assert.Throws<PolicyLoadException>(() => PolicyLoader.LoadAllText(yaml, "e.yaml")).Problems;

        Assert.Equal(
            [
                "e.yaml:10: spec.match.names[0]: \"*\" would match every object; name them, or part of their name, such as web-*",
                "e.yaml:11: spec.match.objectSelector: an empty selector matches every object; give matchLabels or matchExpressions",
            ],
            problems);
    }

    [Fact]
    public void Validate_WhenAdmitting_AnExpiryInThePastIsRefused()
    {
        var yaml = Exception($"  policy: {{name: restricted}}\n  checks: [runAsNonRoot]\n  match: {{names: [a]}}\n  justification: vendor image runs as root until 3.0\n  expiresAt: \"{Expiry(-1)}\"\n");
        var exception = PolicyLoader.LoadAllText(yaml, "e.yaml").Exceptions.Single().Resource;

        var result = new PolicyExceptionValidator(Engine.Checks.CheckRegistry.Default, PolicyExceptionValidator.DefaultMaximumLifetime, TimeProvider.System, rejectExpired: true).Validate(exception);

        Assert.Equal("is in the past", Assert.Single(result.Errors).ErrorMessage.Split(" is ")[^1].Insert(0, "is "));
    }

    [Fact]
    public void Evaluate_ActiveException_WaivesOnlyItsChecksOnItsObjectsInItsNamespace()
    {
        var set = PolicyLoader.LoadAllText(
            Policy + Exception($"  policy: {{kind: ClusterPolicy, name: restricted}}\n  checks: [runAsNonRoot]\n  match: {{names: [\"legacy-*\"], kinds: [Deployment]}}\n  justification: vendor image runs as root until 3.0\n  expiresAt: \"{Expiry(30)}\"\n"),
            "set.yaml");
        var evaluator = new PolicyEvaluator([.. set.Policies.Select(p => p.Compiled)], [.. set.Exceptions.Select(e => e.Compiled)]);

        var waived = evaluator.Evaluate(WorkloadDecoder.Decode("Deployment", Deployment("legacy-billing", "billing")))!;
        var otherName = evaluator.Evaluate(WorkloadDecoder.Decode("Deployment", Deployment("web", "billing")))!;
        var otherNamespace = evaluator.Evaluate(WorkloadDecoder.Decode("Deployment", Deployment("legacy-billing", "shop")))!;
        var later = evaluator.Evaluate(
            PodSpecLocatorTarget(Deployment("legacy-billing", "billing")),
            new EvaluationContext("billing") { Now = DateTimeOffset.UtcNow.AddDays(31) });

        Assert.DoesNotContain(waived.Violations, v => v.Check == "runAsNonRoot");
        Assert.Contains(waived.Violations, v => v.Check == "allowPrivilegeEscalation");
        Assert.Equal("PolicyException \"billing/legacy-root\"", Assert.Single(waived.Waived).Exception.ToString());
        Assert.Contains(otherName.Violations, v => v.Check == "runAsNonRoot");
        Assert.Contains(otherNamespace.Violations, v => v.Check == "runAsNonRoot");
        Assert.Contains(later.Violations, v => v.Check == "runAsNonRoot");
        Assert.Empty(later.Waived);
    }

    [Fact]
    public void Evaluate_ExceptionForOneContainer_WaivesNeitherOtherContainersNorThePod()
    {
        var set = PolicyLoader.LoadAllText(
            Policy + Exception($"  policy: {{name: restricted}}\n  checks: [runAsNonRoot, hostNamespaces]\n  match: {{names: [legacy-billing]}}\n  containers: [app]\n  justification: vendor image runs as root until 3.0\n  expiresAt: \"{Expiry(30)}\"\n"),
            "set.yaml");
        var evaluator = new PolicyEvaluator([.. set.Policies.Select(p => p.Compiled)], [.. set.Exceptions.Select(e => e.Compiled)]);
        var json = Deployment("legacy-billing", "billing").Replace(
            "\"containers\":[{\"name\":\"app\",\"image\":\"x:1\"}]",
            "\"hostNetwork\":true,\"containers\":[{\"name\":\"app\",\"image\":\"x:1\"},{\"name\":\"sidecar\",\"image\":\"y:1\",\"securityContext\":{\"runAsNonRoot\":false}}]",
            StringComparison.Ordinal);

        var result = evaluator.Evaluate(WorkloadDecoder.Decode("Deployment", json))!;

        Assert.Equal("spec.template.spec.containers[0].securityContext.runAsNonRoot", Assert.Single(result.Waived).Violation.Path);
        Assert.Contains(result.Violations, v => v.Check == "runAsNonRoot" && v.Path.Contains("containers[1]", StringComparison.Ordinal));
        Assert.Contains(result.Violations, v => v.Check == "hostNamespaces");
    }

    [Theory]
    [InlineData("[app, sidecar]", true)]
    [InlineData("[app]", false)]
    public void Evaluate_FindingSaidOnceForEveryContainer_IsWaivedOnlyWhenTheExceptionCoversThemAll(string containers, bool waived)
    {
        var set = PolicyLoader.LoadAllText(
            Policy + Exception($"  policy: {{name: restricted}}\n  checks: [runAsNonRoot]\n  match: {{names: [legacy-billing]}}\n  containers: {containers}\n  justification: vendor image runs as root until 3.0\n  expiresAt: \"{Expiry(30)}\"\n"),
            "set.yaml");
        var evaluator = new PolicyEvaluator([.. set.Policies.Select(p => p.Compiled)], [.. set.Exceptions.Select(e => e.Compiled)]);
        var json = Deployment("legacy-billing", "billing").Replace(
            "\"containers\":[{\"name\":\"app\",\"image\":\"x:1\"}]",
            "\"containers\":[{\"name\":\"app\",\"image\":\"x:1\"},{\"name\":\"sidecar\",\"image\":\"y:1\"}]",
            StringComparison.Ordinal);

        var result = evaluator.Evaluate(WorkloadDecoder.Decode("Deployment", json))!;

        var once = Assert.Single(result.Violations.Concat(result.Waived.Select(w => w.Violation)), v => v.Check == "runAsNonRoot");
        Assert.True(once.ForEveryContainer);
        Assert.Equal("spec.template.spec.securityContext.runAsNonRoot", once.Path);
        Assert.Equal(waived, result.Waived.Any(w => w.Violation.Check == "runAsNonRoot"));
    }

    private static WorkloadTarget PodSpecLocatorTarget(string json)
    {
        Assert.True(PodSpecLocator.TryLocate(WorkloadDecoder.Decode("Deployment", json), "default", out var target));
        return target;
    }

    private static string Deployment(string name, string ns) =>
        """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"NAME","namespace":"NS"},"spec":{"template":{"spec":{"containers":[{"name":"app","image":"x:1"}]}}}}"""
            .Replace("NAME", name, StringComparison.Ordinal).Replace("NS", ns, StringComparison.Ordinal);
}
