using PolicyWebhook.Engine.Secrets;

namespace PolicyWebhook.Engine.Tests;

public sealed class SecretDetectorTests
{
    [Theory]
    [InlineData("AKIAIOSFODNN7EXAMPLE", "an AWS access key")]
    [InlineData("-----BEGIN RSA PRIVATE KEY-----\nMIIEow...", "a private key")]
    [InlineData("-----BEGIN OPENSSH PRIVATE KEY-----", "a private key")]
    [InlineData("ghp_0123456789abcdefghijABCDEFGHIJ012345", "a GitHub token")]
    [InlineData("xoxb-1234567890-abcdefghij", "a Slack token")]
    [InlineData("AIzaSyA1234567890abcdefghijklmnopqrstuv", "a Google API key")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "a JSON web token")]
    [InlineData("postgres://app:s3cret@db.internal:5432/app", "a password in a URL")]
    [InlineData("redis://:s3cret@redis.internal:6379", "a password in a URL")]
    [InlineData("Server=db;Database=app;User Id=app;Password=s3cret;", "a password in a connection string")]
    public void KindOf_CredentialShape_IsRecognised(string value, string kind) =>
        Assert.Equal(kind, SecretDetector.KindOf(value));

    [Theory]
    [InlineData("info")]
    [InlineData("https://example.com/path")]
    [InlineData("registry.example.com/app:1.0")]
    [InlineData("postgres://db.internal:5432/app")]
    [InlineData(null)]
    public void KindOf_OrdinaryValue_IsNotASecret(string? value) => Assert.Null(SecretDetector.KindOf(value));

    [Theory]
    [InlineData("DB_PASSWORD", true)]
    [InlineData("dbPassword", true)]
    [InlineData("API_KEY", true)]
    [InlineData("GITHUB_TOKEN", true)]
    [InlineData("client-secret", true)]
    [InlineData("PGPASSWORD", true)]
    [InlineData("MYSQL_ROOTPASSWORD", true)]
    [InlineData("AWS_SECRET_ACCESS_KEY", true)]
    [InlineData("SSHKey", true)]
    [InlineData("HMACKey", true)]
    [InlineData("TOKEN_FILE", false)]
    [InlineData("ACCESS_TOKEN_EXPIRE_MINUTES", false)]
    [InlineData("MAX_TOKENS", false)]
    [InlineData("PASSWORD_MIN_AGE", false)]
    [InlineData("PWD", false)]
    [InlineData("SECRET_NAME", false)]
    [InlineData("KEY_PREFIX", false)]
    [InlineData("LOG_LEVEL", false)]
    [InlineData("PASSWORD_PATH", false)]
    [InlineData("KEY", false)]
    [InlineData("CACHE_KEY", false)]
    [InlineData("SORT_KEY", false)]
    [InlineData("validating-webhook-key", false)]
    [InlineData("SIGNING_KEY", true)]
    [InlineData("MINIO_ACCESS_KEY", true)]
    [InlineData("AWS_ACCESS_KEY_ID", false)]
    [InlineData("PGPASS", true)]
    [InlineData("PGPASSFILE", false)]
    [InlineData("GITHUB_PAT", true)]
    [InlineData("REDIS_AUTH", true)]
    [InlineData("AUTH_USER", false)]
    public void IsSecretName_Name_SaysWhetherItHoldsASecret(string name, bool expected) =>
        Assert.Equal(expected, SecretDetector.IsSecretName(name));

    [Theory]
    [InlineData("$(DB_PASSWORD)", false)]
    [InlineData("", false)]
    [InlineData("true", false)]
    [InlineData("hunter2", true)]
    public void IsLiteral_Value_TellsReferencesFromLiterals(string value, bool expected) =>
        Assert.Equal(expected, SecretDetector.IsLiteral(value));

    [Theory]
    [InlineData("/usr/local/certificates/key", false)]
    [InlineData("~/.ssh/id_rsa", false)]
    [InlineData("1", false)]
    [InlineData("yes", false)]
    [InlineData("On", false)]
    [InlineData("${DB_PASSWORD}", false)]
    [InlineData("$DB_PASSWORD", false)]
    [InlineData("x", true)]
    [InlineData("/ and more", true)]
    public void IsCredential_ValueOfSecretName_SkipsPathsSwitchesAndReferences(string value, bool expected) =>
        Assert.Equal(expected, SecretDetector.IsCredential(SecretName.Secret, value));

    [Theory]
    [InlineData("oidc", false)]
    [InlineData("admin:admin", true)]
    public void IsCredential_ValueOfAuthName_SkipsSchemes(string value, bool expected) =>
        Assert.Equal(expected, SecretDetector.IsCredential(SecretName.Auth, value));
}
