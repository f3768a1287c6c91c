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
    public void Evaluate_TokenFlag_NamesTheFlagNotTheValue() =>
        AssertViolations(
            "fail/token-flag.yaml",
            ("spec.containers[0].command[1]", "container \"app\" must not pass a secret flag value inline in command[1] --api-token"));

    [Fact]
    public void Evaluate_PasswordInsideShellString_NamesTheArgumentAndFlag() =>
        AssertViolations(
            "fail/shell-mysql-glued-password.yaml",
            ("spec.containers[0].command[2]", "container \"app\" must not pass a password inline in command[2] -p"));

    [Fact]
    public void Evaluate_AssignmentInsideShellString_NamesTheVariable() =>
        AssertViolations(
            "fail/shell-assignment.yaml",
            ("spec.containers[0].args[0]", "container \"app\" must not pass a secret value inline in args[0] PGPASSWORD"));

    [Theory]
    [InlineData("fail/env-password.yaml", "hunter2-NOT-A-REAL-SECRET")]
    [InlineData("fail/aws-key-in-args.yaml", "AKIAIOSFODNN7EXAMPLE")]
    [InlineData("fail/token-flag.yaml", "s3cr3t-t0ken-value")]
    [InlineData("fail/shell-mysql-glued-password.yaml", "supersecret")]
    [InlineData("fail/flag-mysql-glued-password.yaml", "SECRET")]
    [InlineData("fail/env-auth-user-password.yaml", "admin:admin")]
    [InlineData("fail/shell-assignment.yaml", "pgpw")]
    [InlineData("fail/private-key-in-args.yaml", "NOT-A-REAL-KEY")]
    [InlineData("fail/redis-cli-auth-flag.yaml", "s3cretpass")]
    [InlineData("fail/shell-curl-user-password.yaml", "admin:admin")]
    [InlineData("fail/shell-htpasswd-batch.yaml", "Adm1nPw")]
    [InlineData("fail/shell-chpasswd-echo.yaml", "Adm1nPw")]
    public void Evaluate_SecretFound_NeverRepeatsTheValue(string fixture, string secret)
    {
        var violations = Violations(fixture);

        Assert.NotEmpty(violations);
        Assert.All(violations, v => Assert.DoesNotContain(secret, v.Message + v.Found + v.Required + v.Path, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("fail/redis-cli-auth-flag.yaml", "spec.containers[0].command[3]", "container \"app\" must not pass a password inline in command[3] -a")]
    [InlineData("fail/shell-curl-user-password.yaml", "spec.containers[0].command[2]", "container \"app\" must not pass a password inline in command[2] -u")]
    [InlineData("fail/shell-htpasswd-batch.yaml", "spec.containers[0].command[2]", "container \"app\" must not pass a password inline in command[2] -b")]
    [InlineData("fail/shell-chpasswd-echo.yaml", "spec.containers[0].command[2]", "container \"app\" must not pass a password for chpasswd inline in command[2]")]
    public void Evaluate_ClientPasswordFlags_NameTheFlagOfThatClient(string fixture, string path, string message) =>
        AssertViolations(fixture, (path, message));

    [Theory]
    [InlineData("pass/shell-docker-login-password-stdin.yaml")]
    [InlineData("pass/redis-cli-auth-reference.yaml")]
    [InlineData("pass/shell-curl-user-reference.yaml")]
    [InlineData("pass/shell-htpasswd-reference.yaml")]
    [InlineData("pass/shell-chpasswd-reference.yaml")]
    public void Evaluate_ClientPasswordFromAReferenceOrInput_IsNoFinding(string fixture) =>
        Assert.Empty(Violations(fixture));

    [Fact]
    public void Evaluate_AwsKeyInArgs_NamesTheKindOfCredential() =>
        AssertViolations(
            "fail/aws-key-in-args.yaml",
            ("spec.containers[0].args[1]", "container \"app\" must not pass an AWS access key inline in args[1]"));

    [Fact]
    public void Corpus_EveryFailFixture_FlagsExactlyTheFieldsItsHeaderNames()
    {
        var score = InlineSecretsCorpus.Score(FixtureFolder, f => Violations(f));

        Assert.True(score.Expected > 0);
        Assert.Empty(score.Wrong);
        Assert.Empty(score.Missed);
    }

    [Fact]
    public void Corpus_ReadmeStatesThePrecisionReached()
    {
        var score = InlineSecretsCorpus.Score(FixtureFolder, f => Violations(f));
        var readme = File.ReadAllText(RepoPaths.Of("README.md"));

        var stated = System.Text.RegularExpressions.Regex.Match(
            readme,
            @"corpus\s+of\s+(?<files>\d+)\s+real-world\s+shapes\s+\((?<fail>\d+)\s+holding\s+(?<secrets>\d+)\s+credentials,\s+(?<pass>\d+)\s+holding\s+none\),\s+it\s+reports\s+(?<right>\d+)\s+of\s+the\s+(?<secrets2>\d+)\s+credentials\s+and\s+(?<wrong>\d+)\s+false\s+alarms:\s+precision\s+(?<precision>\d+)%,\s+recall\s+(?<recall>\d+)%");

        Assert.True(stated.Success, "README's `check` section must state the inline secrets precision on the corpus");
        Assert.Equal(
            (score.Files, score.FailFiles, score.Expected, score.PassFiles, score.Found, score.Expected, score.Wrong.Count, score.PrecisionPercent, score.RecallPercent),
            (Int(stated, "files"), Int(stated, "fail"), Int(stated, "secrets"), Int(stated, "pass"), Int(stated, "right"), Int(stated, "secrets2"), Int(stated, "wrong"), Int(stated, "precision"), Int(stated, "recall")));
    }

    private static int Int(System.Text.RegularExpressions.Match match, string group) =>
        int.Parse(match.Groups[group].Value, System.Globalization.CultureInfo.InvariantCulture);
}
