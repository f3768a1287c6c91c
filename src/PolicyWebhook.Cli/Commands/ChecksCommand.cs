using System.CommandLine;
using PolicyWebhook.Engine.Checks;

namespace PolicyWebhook.Cli.Commands;

/// <summary><c>checks list</c>: every check id, its level and the versions it has.</summary>
internal static class ChecksCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var list = new Command("list", "List every check: id, level, versions and what it guards against.");
        list.SetAction(_ =>
        {
            var checks = CheckRegistry.Default.All;
            var width = checks.Max(c => c.Id.Length) + 2;
            output.WriteLine($"{"ID".PadRight(width)}{"LEVEL",-16}{"VERSIONS",-28}GUARDS AGAINST");
            foreach (var check in checks)
            {
                var versions = check is PssCheck pss ? string.Join(", ", pss.Versions.Select(v => v.MinimumVersion)) : "-";
                output.WriteLine($"{check.Id.PadRight(width)}{LevelName(check.Level),-16}{versions,-28}{check.Title}");
            }

            return CliApp.Allowed;
        });
        var checks = new Command("checks", "Inspect the checks the engine has: 'policywebhook checks list'.") { list };

        // Alone, the command points to its one subcommand rather than failing with "required command".
        checks.SetAction(_ =>
        {
            error.WriteLine("policywebhook checks: run 'policywebhook checks list' to list every check, its level and its versions.");
            return CliApp.BadInput;
        });
        return checks;
    }

    private static string LevelName(CheckLevel level) => level switch
    {
        CheckLevel.Baseline => "baseline",
        CheckLevel.Restricted => "restricted",
        _ => "least-privilege",
    };
}
