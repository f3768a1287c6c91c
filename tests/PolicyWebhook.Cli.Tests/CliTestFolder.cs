namespace PolicyWebhook.Cli.Tests;

/// <summary>A temporary folder for a test class's manifests, and the command line run in process over them.</summary>
public abstract class CliTestFolder : IDisposable
{
    /// <summary>A Pod that baseline denies: one privileged container.</summary>
    protected const string PrivilegedPod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: priv\nspec:\n  containers:\n  - name: a\n    image: a:1\n    securityContext:\n      privileged: true\n";

    protected CliTestFolder(string prefix) => Temp = Directory.CreateTempSubdirectory(prefix).FullName;

    protected string Temp { get; }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            Directory.Delete(Temp, recursive: true);
        }
    }

    /// <summary>Runs the command line with <paramref name="stdin"/> as standard input; the error text has \n line ends.</summary>
    protected static (int Code, string Output, string Error) Run(string? stdin, params string[] args)
    {
        using var input = new StringReader(stdin ?? string.Empty);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = CliApp.Run(args, input, output, error);
        return (code, output.ToString(), error.ToString().ReplaceLineEndings("\n"));
    }

    /// <summary>Writes a file below the folder, making its folders, and returns its path.</summary>
    protected string Write(string name, string text)
    {
        var path = Path.Combine(Temp, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }
}
