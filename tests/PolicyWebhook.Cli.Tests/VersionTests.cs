namespace PolicyWebhook.Cli.Tests;

/// <summary><c>--version</c> prints the command line's own version, the one the build set, even when run in process.</summary>
public sealed class VersionTests
{
    [Fact]
    public void Version_InProcess_PrintsTheCommandLinesOwnVersionOnly()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = CliApp.Run(["--version"], output, error);

        Assert.Equal(CliApp.Allowed, code);
        Assert.Equal(CliApp.Version + Environment.NewLine, output.ToString());
        Assert.Matches(@"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$", CliApp.Version); // no "+commit": that is the image's revision label
        Assert.Empty(error.ToString());
    }

    [Fact]
    public void Version_WithACommand_IsRefused()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        Assert.Equal(CliApp.BadInput, CliApp.Run(["--version", "checks", "list"], output, error));
        Assert.Contains("--version", error.ToString(), StringComparison.Ordinal);
    }
}
