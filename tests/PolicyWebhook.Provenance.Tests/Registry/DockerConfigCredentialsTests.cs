using System.Text;
using PolicyWebhook.Provenance.Registry;

namespace PolicyWebhook.Provenance.Tests.Registry;

public sealed class DockerConfigCredentialsTests
{
    private static string Auth(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void Parse_KeysAsHostsAndUrls_FoundByTheRegistryImagesName()
    {
        var credentials = DockerConfigCredentials.Parse($$$"""
            {"auths": {
              "https://index.docker.io/v1/": {"auth": "{{{Auth("hub-user:hub:pass")}}}"},
              "registry.example.com:5000": {"username": "ci", "password": "pw"},
              "HTTP://Mirror.Example.com/v2/": {"auth": "{{{Auth("m:p")}}}", "email": "x@example.com"}
            }}
            """);

        Assert.Equal(("hub-user", "hub:pass"), (credentials.Find("docker.io")!.Username, credentials.Find("docker.io")!.Password));
        Assert.Equal("hub-user", credentials.Find("registry-1.docker.io")!.Username);
        Assert.Equal("pw", credentials.Find("registry.example.com:5000")!.Password);
        Assert.Equal("m", credentials.Find("mirror.example.com")!.Username);
        Assert.Null(credentials.Find("registry.example.com"));
        Assert.Equal(["docker.io", "registry.example.com:5000", "mirror.example.com"], credentials.Registries);
    }

    [Theory]
    [InlineData("""{"auths":{"r.example.com":{"auth":"not base64 s3cret!"}}}""", "the docker config entry for r.example.com has an \"auth\" that is not base64")]
    [InlineData("""{"auths":{"r.example.com":{"auth":"czNjcmV0"}}}""", "the docker config entry for r.example.com has an \"auth\" that is not user:password")]
    [InlineData("""{"auths":{"r.example.com":{"password":"s3cret"}}}""", "the docker config entry for r.example.com has neither \"auth\" nor \"username\" and \"password\"")]
    [InlineData("""{"credsStore":"desktop"}""", "the docker config has no \"auths\" object")]
    public void Parse_EntryThatCannotBeRead_ThrowsNamingItWithoutTheSecret(string json, string message)
    {
        var error = Assert.Throws<FormatException>(() => DockerConfigCredentials.Parse(json));

        Assert.Equal(message, error.Message);
        Assert.DoesNotContain("s3cret", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_OfACredential_HidesThePassword()
    {
        var credential = DockerConfigCredentials.Parse("""{"auths":{"r.example.com":{"username":"ci","password":"s3cret"}}}""").Find("r.example.com");

        Assert.Equal("ci (password hidden)", credential!.ToString());
    }
}
