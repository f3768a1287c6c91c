namespace PolicyWebhook.Engine.Tests.Checks;

public sealed class InlineSecretsCheckTests : CheckTestBase
{
    protected override string CheckId => "inlineSecrets";

    [Fact]
    public void Evaluate_EnvPassword_NamesFieldAndFix() =>
        AssertViolations(
            "fail/env-password.yaml",
            ("spec.containers[0].env[0].value", "container \"app\" must take env \"DB_PASSWORD\" from a Secret (valueFrom.secretKeyRef), not a literal value"));

    [Fact]
    public void Evaluate_TokenFlag_NamesFieldAndFix() =>
        AssertViolations(
            "fail/token-flag.yaml",
            ("spec.containers[0].command[2]", "container \"app\" must not pass a secret flag value inline in command[2]"));

    [Theory]
    [InlineData("fail/env-password.yaml", "hunter2-NOT-A-REAL-SECRET")]
    [InlineData("fail/aws-key-in-args.yaml", "AKIAIOSFODNN7EXAMPLE")]
    [InlineData("fail/token-flag.yaml", "s3cr3t-t0ken-value")]
    public void Evaluate_SecretFound_NeverRepeatsTheValue(string fixture, string secret)
    {
        var violations = Violations(fixture);

        Assert.NotEmpty(violations);
        Assert.All(violations, v => Assert.DoesNotContain(secret, v.Message + v.Found + v.Required + v.Path, StringComparison.Ordinal));
    }

    [Fact]
    public void Evaluate_AwsKeyInArgs_NamesTheKindOfCredential() =>
        AssertViolations(
            "fail/aws-key-in-args.yaml",
            ("spec.containers[0].args[1]", "container \"app\" must not pass an AWS access key inline in args[1]"));
}
