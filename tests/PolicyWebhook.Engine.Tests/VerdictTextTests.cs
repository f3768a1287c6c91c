namespace PolicyWebhook.Engine.Tests;

public sealed class VerdictTextTests
{
    [Fact]
    public void Listing_TwoPolicies_OneLinePerPolicyThenOnePerViolation()
    {
        var a = new PolicyReference("ClusterPolicy", "restricted");
        var b = new PolicyReference("Policy", "tags", "shop");
        var result = new EvaluationResult("Deployment", "web", "shop",
        [
            new Violation(a, "runAsNonRoot", PolicyMode.Enforce, "spec.template.spec.containers[0].securityContext.runAsNonRoot", "container \"app\" must set securityContext.runAsNonRoot=true", "unset", "true"),
            new Violation(a, "privileged", PolicyMode.Enforce, "spec.template.spec.containers[0].securityContext.privileged", "container \"app\" must not set securityContext.privileged=true", "true", "false"),
            new Violation(b, "imageTags", PolicyMode.Warn, "spec.template.spec.containers[0].image", "container \"app\" must pin image \"web\" to a version tag or digest", "no tag", "a tag"),
            new Violation(b, "imageTags", PolicyMode.Enforce, "spec.template.spec.containers[1].image", "container \"b\" must pin image \"b\" to a version tag or digest", "no tag", "a tag"),
        ], 2);

        Assert.Equal(
            """
            Deployment "web" violates ClusterPolicy "restricted":
            - runAsNonRoot (container "app" must set securityContext.runAsNonRoot=true at spec.template.spec.containers[0].securityContext.runAsNonRoot)
            - privileged (container "app" must not set securityContext.privileged=true at spec.template.spec.containers[0].securityContext.privileged)
            Deployment "web" violates Policy "shop/tags":
            - imageTags (container "b" must pin image "b" to a version tag or digest at spec.template.spec.containers[1].image)
            """.ReplaceLineEndings("\n"),
            VerdictText.Listing(result));
    }

    [Fact]
    public void Evaluate_ThousandsOfContainers_KeepsAThousandViolationsAndStillDenies()
    {
        var containers = string.Join(",", Enumerable.Range(0, 2000).Select(i => $$$"""{"name":"c{{{i}}}","image":"x:1","securityContext":{"privileged":true}}"""));
        var pod = PolicyWebhook.Engine.Workloads.WorkloadDecoder.Decode("Pod", $$$"""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"big"},"spec":{"containers":[{{{containers}}}]}}""");
        var warnThenEnforce = new PolicyEvaluator(
        [
            TestPolicies.Standard(PssLevel.Baseline, PssVersion.Latest, PolicyMode.Warn),
            TestPolicies.Standard(PssLevel.Baseline, PssVersion.Latest, PolicyMode.Enforce),
        ]);

        var result = warnThenEnforce.Evaluate(pod)!;

        Assert.Equal(Evaluation.Findings.MaxViolations, result.Violations.Count);
        Assert.Equal(3000, result.Omitted);
        Assert.All(result.Violations, v => Assert.Equal(PolicyMode.Warn, v.Mode));
        Assert.False(result.Allowed);
    }

    [Fact]
    public void Listing_ManyViolations_StopsAtTheLimitAndSaysHowManyMore()
    {
        var policy = new PolicyReference("ClusterPolicy", "p");
        var violations = Enumerable.Range(0, 60).Select(i => new Violation(policy, "privileged", PolicyMode.Enforce, $"spec.containers[{i}]", "m", "", "")).ToList();
        var result = new EvaluationResult("Pod", "big", "shop", violations, 1, omitted: 5);

        var lines = VerdictText.Listing(result).Split('\n');

        Assert.Equal(1 + 50 + 1, lines.Length);
        Assert.Equal("- and 15 more violations; run 'policywebhook check' on the manifest to see them all", lines[^1]);
    }
}
