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
}
