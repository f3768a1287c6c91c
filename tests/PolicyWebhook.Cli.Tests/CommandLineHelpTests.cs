using System.Xml.Linq;

namespace PolicyWebhook.Cli.Tests;

/// <summary>How a user finds their way: help text, the bare <c>checks</c> command, and how the command is packaged.</summary>
public sealed class CommandLineHelpTests
{
    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = CliApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void CheckHelp_ListsExitCodesLevelsAndVersions()
    {
        var (code, output, _) = Run("check", "--help");

        Assert.Equal(CliApp.Allowed, code);
        Assert.Contains("Exit codes: 0 nothing denied; 1 something denied", output, StringComparison.Ordinal);
        Assert.Contains("2 bad usage, or a file or document that could not be read", output, StringComparison.Ordinal);
        Assert.Contains("Levels (--pss): privileged, baseline, restricted.", output, StringComparison.Ordinal);
        Assert.Contains($"Versions: v1.0 to v1.{Engine.PssVersion.NewestKnownMinor}, or latest", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Checks_Alone_PointsToChecksList()
    {
        var (code, _, error) = Run("checks");

        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains("run 'policywebhook checks list'", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Required command", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Project_IsPackedAsTheDotnetToolPolicywebhook()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PolicyWebhook.sln")))
        {
            dir = dir.Parent;
        }

        var project = XDocument.Load(Path.Combine(dir!.FullName, "src", "PolicyWebhook.Cli", "PolicyWebhook.Cli.csproj"));
        string? Property(string name) => project.Descendants(name).SingleOrDefault()?.Value;

        Assert.Equal("true", Property("PackAsTool"));
        Assert.Equal("policywebhook", Property("ToolCommandName"));
        Assert.Equal("PolicyWebhook.Cli", Property("PackageId"));
        Assert.Equal("policywebhook", Property("AssemblyName"));
    }
}
