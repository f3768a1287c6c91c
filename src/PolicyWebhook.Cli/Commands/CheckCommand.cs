using System.CommandLine;
using PolicyWebhook.Cli.Output;
using PolicyWebhook.Engine;
using PolicyWebhook.Engine.Exceptions;
using PolicyWebhook.Policies;

namespace PolicyWebhook.Cli.Commands;

/// <summary><c>check</c>: evaluates manifests offline against policies, as the webhook would at admission.</summary>
internal static class CheckCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var policies = new Option<string[]>("--policy", "-p")
        {
            Description = "A policy file or folder of policies and PolicyExceptions (repeatable). Default: the built-in default policy.",
            AllowMultipleArgumentsPerToken = false,
        };
        var pss = new Option<string?>("--pss")
        {
            Description = "Also apply a Pod Security Standards level, LEVEL[:VERSION] (baseline:v1.29, restricted). Alone, only that standard applies.",
        };
        var format = new Option<string>("--format", "-o")
        {
            Description = "Output format: text or json.",
            DefaultValueFactory = _ => "text",
        };
        format.AcceptOnlyFromAmong("text", "json");
        var paths = new Argument<string[]>("PATH")
        {
            Description = "Manifest files (YAML or JSON, several documents each) or folders, searched recursively.",
            Arity = ArgumentArity.OneOrMore,
        };

        var command = new Command("check", "Check Kubernetes manifests against least-privilege policies, offline.")
        {
            policies, pss, format, paths,
        };
        command.SetAction(parsed =>
        {
            var exceptions = new List<CompiledException>();
            var compiled = BuildPolicies(parsed.GetValue(policies) ?? [], parsed.GetValue(pss), exceptions, error);
            if (compiled is null)
            {
                return CliApp.BadInput;
            }

            CheckRun run;
            try
            {
                run = CheckRunner.Run(parsed.GetValue(paths)!, new PolicyEvaluator(compiled, exceptions));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error.WriteLine("error: " + e.Message);
                return CliApp.BadInput;
            }

            if (parsed.GetValue(format) == "json")
            {
                JsonReport.Write(run, output);
            }
            else
            {
                TextReport.Write(run, output);
            }

            foreach (var problem in run.Errors)
            {
                error.WriteLine("error: " + problem);
            }

            return run.Errors.Count > 0 ? CliApp.BadInput
                : run.Results.Exists(r => !r.Result.Allowed) ? CliApp.Denied
                : CliApp.Allowed;
        });
        return command;
    }

    /// <summary>The policies to check against; the PolicyExceptions found among the policy files go to <paramref name="exceptions"/>.</summary>
    private static List<CompiledPolicy>? BuildPolicies(string[] policyPaths, string? pss, List<CompiledException> exceptions, TextWriter error)
    {
        var compiled = new List<CompiledPolicy>();
        if (policyPaths.Length > 0)
        {
            try
            {
                var set = PolicyLoader.LoadAll(policyPaths);
                compiled.AddRange(set.Policies.Select(p => p.Compiled));
                exceptions.AddRange(set.Exceptions.Select(e => e.Compiled));
            }
            catch (PolicyLoadException e)
            {
                error.WriteLine("error: " + e.Message);
                return null;
            }

            if (compiled.Count == 0)
            {
                error.WriteLine($"error: no ClusterPolicy or Policy found in {string.Join(", ", policyPaths)}");
                return null;
            }
        }

        if (pss is not null)
        {
            if (!TryParseStandard(pss, out var standard))
            {
                error.WriteLine($"error: --pss \"{pss}\" is not LEVEL[:VERSION] (such as restricted, baseline:v1.29 or restricted:latest)");
                return null;
            }

            compiled.Add(standard);
        }

        if (compiled.Count == 0)
        {
            compiled.AddRange(BuiltInPolicies.Default.Select(p => p.Compiled));
        }

        return compiled;
    }

    private static bool TryParseStandard(string text, out CompiledPolicy policy)
    {
        policy = null!;
        var parts = text.Split(':', 2);
        PssLevel level;
        switch (parts[0])
        {
            case "privileged": level = PssLevel.Privileged; break;
            case "baseline": level = PssLevel.Baseline; break;
            case "restricted": level = PssLevel.Restricted; break;
            default: return false;
        }

        var version = PssVersion.Latest;
        if (parts.Length == 2 && !PssVersion.TryParse(parts[1], out version))
        {
            return false;
        }

        policy = new CompiledPolicy(
            new PolicyReference("ClusterPolicy", $"pss-{parts[0]}-{version}"),
            new PodSecuritySettings(level, version, PolicyMode.Enforce),
            [],
            PolicyMatch.All,
            PolicyExclusions.None);
        return true;
    }
}
