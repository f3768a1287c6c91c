namespace PolicyWebhook.Cli.Tests;

/// <summary>
/// <c>check</c> with the default policy over the engine's inlineSecrets corpus: ingress-nginx's controller and the
/// other real-world false alarms report no inline secret; the MySQL and minio examples still report theirs.
/// </summary>
public sealed class CheckInlineSecretsTests
{
    private static readonly string Corpus = Path.Combine(FindRoot(), "tests", "PolicyWebhook.Engine.Tests", "Fixtures", "inlineSecrets");

    private static string Check(string path)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        CliApp.Run(["check", path], output, error);
        Assert.Empty(error.ToString());
        return output.ToString();
    }

    [Fact]
    public void Check_IngressNginxAndOtherFalseAlarms_ReportNoInlineSecret()
    {
        var output = Check(Path.Combine(Corpus, "pass"));

        Assert.Contains("Deployment \"ingress-nginx-controller\" in namespace \"ingress-nginx\"", output, StringComparison.Ordinal);
        Assert.DoesNotContain(": inlineSecrets (", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mysql-example.yaml", "container \"mysql\" must take env \"MYSQL_ROOT_PASSWORD\" from a Secret")]
    [InlineData("minio-example.yaml", "container \"minio\" must take env \"MINIO_SECRET_KEY\" from a Secret")]
    [InlineData("minio-example.yaml", "container \"minio\" must take env \"MINIO_ACCESS_KEY\" from a Secret")]
    public void Check_MySqlAndMinioExamples_StillReportTheirSecrets(string file, string message)
    {
        var output = Check(Path.Combine(Corpus, "fail", file));

        Assert.Contains("inlineSecrets (" + message, output, StringComparison.Ordinal);
        Assert.DoesNotContain("minio123", output, StringComparison.Ordinal);
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PolicyWebhook.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("PolicyWebhook.sln not found");
    }
}
