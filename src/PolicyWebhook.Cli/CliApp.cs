using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;
using PolicyWebhook.Cli.Commands;

namespace PolicyWebhook.Cli;

/// <summary>The policywebhook command line: its commands, and exit codes 0 (allowed), 1 (denied), 2 (bad usage or input).</summary>
public static class CliApp
{
    public const int Allowed = 0;
    public const int Denied = 1;
    public const int BadInput = 2;

    /// <summary>The version built in (Directory.Build.props, or <c>-p:Version=</c>), as <c>--version</c> prints it.</summary>
    public static string Version { get; } =
        typeof(CliApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public static int Run(string[] args, TextWriter output, TextWriter error) => Run(args, TextReader.Null, output, error);

    /// <summary>Runs a command line; <paramref name="input"/> is what <c>check -</c> reads.</summary>
    public static int Run(string[] args, TextReader input, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        var root = new RootCommand("PolicyWebhook: least-privilege admission policies for Kubernetes workloads.")
        {
            CheckCommand.Create(output, error, input),
            ChecksCommand.Create(output, error),
            ScanCommand.Create(output, error),
            UninstallWebhooksCommand.Create(output, error),
            ApplyPoliciesCommand.Create(output, error),
            SelftestCommand.Create(output, error),
            VerifyImageCommand.Create(output, error),
            VerifyBundleCommand.Create(output, error),
            TrustedRootCommand.Create(output, error),
        };

        // Our own assembly's version: the default reads the entry assembly's, which is a test host's when run in process.
        root.Options.OfType<VersionOption>().Single().Action = new PrintVersion(output);
        var parsed = root.Parse(args);
        if (UnknownOptions.Find(parsed) is { Count: > 0 } unknown)
        {
            foreach (var line in unknown)
            {
                error.WriteLine("error: " + line);
            }

            error.WriteLine($"Run '{UnknownOptions.CommandLine(parsed)} --help' for usage.");
            return BadInput;
        }

        if (parsed.Errors.Count > 0)
        {
            foreach (var problem in parsed.Errors)
            {
                error.WriteLine("error: " + problem.Message);
            }

            error.WriteLine("Run 'policywebhook --help' for usage.");
            return BadInput;
        }

        return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error });
    }

    private sealed class PrintVersion(TextWriter output) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            output.WriteLine(Version);
            return Allowed;
        }
    }
}
