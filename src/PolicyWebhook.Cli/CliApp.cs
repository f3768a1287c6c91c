using System.CommandLine;
using PolicyWebhook.Cli.Commands;

namespace PolicyWebhook.Cli;

/// <summary>The policywebhook command line: its commands, and exit codes 0 (allowed), 1 (denied), 2 (bad usage or input).</summary>
public static class CliApp
{
    public const int Allowed = 0;
    public const int Denied = 1;
    public const int BadInput = 2;

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        var root = new RootCommand("PolicyWebhook: least-privilege admission policies for Kubernetes workloads.")
        {
            CheckCommand.Create(output, error),
            ChecksCommand.Create(output),
            ScanCommand.Create(output, error),
            UninstallWebhooksCommand.Create(output, error),
            ApplyPoliciesCommand.Create(output, error),
            SelftestCommand.Create(output, error),
        };

        var parsed = root.Parse(args);
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
}
