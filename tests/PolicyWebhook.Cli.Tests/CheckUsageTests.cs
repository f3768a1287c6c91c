using System.Text.Json;

namespace PolicyWebhook.Cli.Tests;

/// <summary>How <c>check</c> takes its command line: kubectl's habits, unknown options, empty input, and SARIF paths.</summary>
public sealed class CheckUsageTests() : CliTestFolder("policywebhook-usage-")
{
    [Fact]
    public void Check_KubectlFilenameOption_ChecksTheFileAndNothingElse()
    {
        var pod = Write("pod.yaml", PrivilegedPod);

        var (code, output, error) = Run(null, "check", "--pss", "baseline", "-f", pod);

        Assert.Equal(CliApp.Denied, code);
        Assert.Equal(string.Empty, error);
        Assert.Contains("DENIED  Pod \"priv\"", output, StringComparison.Ordinal);
        Assert.Contains("1 object checked", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_FilenameFolder_ReadsItsOwnFilesAndBelowOnlyWithRecursive()
    {
        var folder = Path.Combine(Temp, "manifests");
        Write(Path.Combine("manifests", "top.yaml"), PrivilegedPod.Replace("name: priv", "name: top", StringComparison.Ordinal));
        Write(Path.Combine("manifests", "nested", "deep.yaml"), PrivilegedPod.Replace("name: priv", "name: deep", StringComparison.Ordinal));

        var (_, flat, _) = Run(null, "check", "--pss", "baseline", "-f", folder);
        var (_, recursive, _) = Run(null, "check", "--pss", "baseline", "-f", folder, "-R");
        var (_, positional, _) = Run(null, "check", "--pss", "baseline", folder);

        Assert.Contains("Pod \"top\"", flat, StringComparison.Ordinal);
        Assert.DoesNotContain("Pod \"deep\"", flat, StringComparison.Ordinal);
        Assert.Contains("Pod \"deep\"", recursive, StringComparison.Ordinal);
        Assert.Contains("Pod \"deep\"", positional, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_FilenameRepeated_ReadsEveryFile()
    {
        var first = Write("first.yaml", PrivilegedPod.Replace("name: priv", "name: first", StringComparison.Ordinal));
        var second = Write("second.yaml", PrivilegedPod.Replace("name: priv", "name: second", StringComparison.Ordinal));

        var (_, output, _) = Run(null, "check", "--pss", "baseline", "--filename", second, "-f", first);

        Assert.Contains("2 objects checked", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--fromat", "error: unrecognized option '--fromat'; did you mean --format?\n")]
    [InlineData("--namespce", "error: unrecognized option '--namespce'; did you mean --namespace?\n")]
    [InlineData("--fromat=sarif", "error: unrecognized option '--fromat'; did you mean --format?\n")]
    [InlineData("-x", "error: unrecognized option '-x'\n")]
    [InlineData("--no-such-thing", "error: unrecognized option '--no-such-thing'\n")]
    public void Check_UnknownOption_IsRefusedByNameWithoutCheckingAnything(string option, string said)
    {
        var pod = Write("pod.yaml", PrivilegedPod);

        var (code, output, error) = Run(null, "check", option, "sarif", pod);

        Assert.Equal(CliApp.BadInput, code);
        Assert.Equal(string.Empty, output);
        Assert.Equal(said + "Run 'policywebhook check --help' for usage.\n", error);
    }

    [Fact]
    public void ChecksList_UnknownOption_IsRefusedByNameWithItsCommand()
    {
        var (code, _, error) = Run(null, "checks", "list", "--foo");

        Assert.Equal(CliApp.BadInput, code);
        Assert.Equal("error: unrecognized option '--foo'\nRun 'policywebhook checks list --help' for usage.\n", error);
    }

    [Fact]
    public void Check_PathAfterDoubleDash_IsAPathEvenWhenItStartsWithADash()
    {
        Write("-odd.yaml", PrivilegedPod);

        var (code, output, _) = Run(null, "check", "--pss", "baseline", "--", Path.Combine(Temp, "-odd.yaml"));

        Assert.Equal(CliApp.Denied, code);
        Assert.Contains("Pod \"priv\"", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_MissingFile_NamesItWithoutALineNumber()
    {
        var missing = Path.Combine(Temp, "nope.yaml");

        var (code, _, error) = Run(null, "check", missing);

        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains($"error: {missing}: no such file or folder\n", error, StringComparison.Ordinal);
        Assert.DoesNotContain(":0:", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_NothingToCheck_IsBadUsage()
    {
        var (code, _, error) = Run(null, "check");

        Assert.Equal(CliApp.BadInput, code);
        Assert.StartsWith("error: no manifests to check", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_EmptyFolder_ExitsTwoUnlessAllowEmpty()
    {
        var empty = Directory.CreateDirectory(Path.Combine(Temp, "empty")).FullName;
        Write(Path.Combine("empty", "README.md"), "not a manifest");

        var (code, _, error) = Run(null, "check", empty);
        var (allowed, _, allowedError) = Run(null, "check", "--allow-empty", empty);

        Assert.Equal(CliApp.BadInput, code);
        Assert.Equal($"error: no objects found in {empty} (--allow-empty accepts that)\n", error);
        Assert.Equal(CliApp.Allowed, allowed);
        Assert.Equal(string.Empty, allowedError);
    }

    [Fact]
    public void Check_EmptyStandardInput_ExitsTwo()
    {
        var (code, _, error) = Run(string.Empty, "check", "-");

        Assert.Equal(CliApp.BadInput, code);
        Assert.Equal("error: no objects found in standard input (--allow-empty accepts that)\n", error);
    }

    [Fact]
    public void Check_ObjectsWithoutPodSpecs_AreNotEmpty()
    {
        var configMap = Write("config.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: b\n");

        var (code, output, error) = Run(null, "check", configMap);

        Assert.Equal(CliApp.Allowed, code);
        Assert.Equal(string.Empty, error);
        Assert.Contains("1 other document carried no pod spec", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("restricted:v9.99", "error: --pss \"restricted:v9.99\": unknown version \"v9.99\" (known: v1.0 to v1.36, or latest)\n")]
    [InlineData("strict", "error: --pss \"strict\": unknown level \"strict\" (known: privileged, baseline, restricted; give LEVEL[:VERSION], such as restricted or baseline:v1.29)\n")]
    public void Check_UnknownStandard_NamesTheUnknownPartAndTheKnownOnes(string pss, string said)
    {
        var pod = Write("pod.yaml", PrivilegedPod);

        var (code, _, error) = Run(null, "check", "--pss", pss, pod);

        Assert.Equal(CliApp.BadInput, code);
        Assert.Equal(said, error);
    }

    [Fact]
    public void Check_Sarif_LocatesFilesFromTheirRepositoryRootUnderSrcRoot()
    {
        var repository = Directory.CreateDirectory(Path.Combine(Temp, "newcomer")).FullName;
        Directory.CreateDirectory(Path.Combine(repository, ".git"));
        var pod = Write(Path.Combine("newcomer", "deploy", "my pod.yaml"), PrivilegedPod);

        var (_, output, _) = Run(null, "check", "--pss", "baseline", "--format", "sarif", pod);

        using var sarif = JsonDocument.Parse(output);
        var run = sarif.RootElement.GetProperty("runs")[0];
        var artifact = run.GetProperty("results")[0].GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("artifactLocation");
        Assert.Equal("deploy/my%20pod.yaml", artifact.GetProperty("uri").GetString());
        Assert.Equal("%SRCROOT%", artifact.GetProperty("uriBaseId").GetString());
        var root = new Uri(run.GetProperty("originalUriBaseIds").GetProperty("%SRCROOT%").GetProperty("uri").GetString()!);
        Assert.Equal(repository + Path.DirectorySeparatorChar, root.LocalPath);
    }
}
