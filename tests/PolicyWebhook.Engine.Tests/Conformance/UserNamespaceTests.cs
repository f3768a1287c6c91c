namespace PolicyWebhook.Engine.Tests.Conformance;

/// <summary>
/// Our own cases for what the upstream fixtures leave untested (see pss/PROVENANCE.md): a restricted pod running
/// as root in its own user namespace. Pod Security Admission 1.36 admits it from policy v1.35, latest included,
/// and denies it at every older version, and whenever the pod shares the host's user namespace.
/// </summary>
public sealed class UserNamespaceTests
{
    private const string RootPod = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: root
        spec:
          HOST_USERS
          securityContext:
            runAsUser: 0
            seccompProfile:
              type: RuntimeDefault
          containers:
          - name: app
            image: registry.example.com/app:1.0
            securityContext:
              allowPrivilegeEscalation: false
              capabilities:
                drop: [ALL]
        """;

    [Theory]
    [InlineData("v1.35")]
    [InlineData("v1.36")]
    [InlineData("v1.99")]
    [InlineData("latest")]
    public void Evaluate_RestrictedRootInUserNamespaceFromV1Dot35_Allowed(string version)
    {
        var result = Evaluate("hostUsers: false", PssLevel.Restricted, version);

        Assert.True(result.Allowed, VerdictText.Summary(result));
    }

    [Theory]
    [InlineData("v1.23")]
    [InlineData("v1.25")]
    [InlineData("v1.34")]
    public void Evaluate_RestrictedRootInUserNamespaceBeforeV1Dot35_DeniedForRunAsNonRootAndRunAsUser(string version)
    {
        var result = Evaluate("hostUsers: false", PssLevel.Restricted, version);

        Assert.Equal(["runAsNonRoot", "runAsUser"], result.Violations.Select(v => v.Check).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Evaluate_RestrictedRootInUserNamespaceAtV1Dot0_DeniedForRunAsNonRoot()
    {
        // runAsUser=0 is only checked from v1.23.
        var result = Evaluate("hostUsers: false", PssLevel.Restricted, "v1.0");

        Assert.Equal(["runAsNonRoot"], result.Violations.Select(v => v.Check));
    }

    [Theory]
    [InlineData("hostUsers: true", "v1.34")]
    [InlineData("hostUsers: true", "v1.35")]
    [InlineData("hostUsers: true", "latest")]
    [InlineData("", "v1.36")]
    [InlineData("", "latest")]
    public void Evaluate_RestrictedRootInHostUserNamespace_DeniedForRunAsNonRootAndRunAsUser(string hostUsers, string version)
    {
        var result = Evaluate(hostUsers, PssLevel.Restricted, version);

        Assert.Equal(["runAsNonRoot", "runAsUser"], result.Violations.Select(v => v.Check).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("v1.0", PssLevel.Baseline, false)]
    [InlineData("v1.34", PssLevel.Baseline, false)]
    [InlineData("v1.35", PssLevel.Baseline, true)]
    [InlineData("latest", PssLevel.Baseline, true)]
    [InlineData("v1.34", PssLevel.Restricted, false)]
    [InlineData("v1.35", PssLevel.Restricted, false)]
    [InlineData("latest", PssLevel.Restricted, false)]
    public void Evaluate_UnmaskedProcInUserNamespace_AllowedOnlyByBaselineFromV1Dot35(string version, PssLevel level, bool allowed)
    {
        var pod = TestPolicies.ParseObject("""
            apiVersion: v1
            kind: Pod
            metadata:
              name: unmasked
            spec:
              hostUsers: false
              securityContext:
                runAsNonRoot: true
                seccompProfile:
                  type: RuntimeDefault
              containers:
              - name: app
                image: registry.example.com/app:1.0
                securityContext:
                  allowPrivilegeEscalation: false
                  capabilities:
                    drop: [ALL]
                  procMount: Unmasked
            """);

        var result = new PolicyEvaluator([TestPolicies.Standard(level, PssVersion.Parse(version))]).Evaluate(pod)!;

        Assert.True(result.Allowed == allowed, VerdictText.Summary(result));
    }

    private static EvaluationResult Evaluate(string hostUsers, PssLevel level, string version)
    {
        var pod = TestPolicies.ParseObject(RootPod.Replace("HOST_USERS", hostUsers, StringComparison.Ordinal));
        return new PolicyEvaluator([TestPolicies.Standard(level, PssVersion.Parse(version))]).Evaluate(pod)!;
    }
}
