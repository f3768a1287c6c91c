using System.CommandLine;
using PolicyWebhook.Cli.Output;
using PolicyWebhook.Cluster;
using PolicyWebhook.Engine;
using PolicyWebhook.Engine.Exceptions;
using PolicyWebhook.Policies;

namespace PolicyWebhook.Cli.Commands;

/// <summary><c>check</c>: evaluates manifests offline against policies, as the webhook would at admission.</summary>
internal static class CheckCommand
{
    /// <summary>What <c>check --help</c> says beyond the options: exit codes, levels and versions.</summary>
    public static string Description { get; } =
        "Check Kubernetes manifests against least-privilege policies, offline.\n"
        + "Exit codes: 0 nothing denied; 1 something denied (Warn and Audit findings do not count); 2 bad usage, or a file or document that could not be read.\n"
        + "Levels (--pss): privileged, baseline, restricted. Versions: v1.0 to v1." + PssVersion.NewestKnownMinor + ", or latest (the default).\n"
        + "Start with --pss baseline on your own manifests, then the default policy (restricted, and more).";

    public static Command Create(TextWriter output, TextWriter error, TextReader input)
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
            Description = "Output format: text, json, sarif (SARIF 2.1.0, for code scanning) or junit (for CI test reports).",
            DefaultValueFactory = _ => "text",
        };
        format.AcceptOnlyFromAmong("text", "json", "sarif", "junit");
        var ns = new Option<string?>("--namespace", "-n")
        {
            Description = "The namespace the manifests will be applied to: objects without one are checked as in it. Default: none.",
        };
        var exclude = new Option<string[]>("--exclude-namespace")
        {
            Description = "A namespace the webhook exempts: its objects are skipped (repeatable). Default: none offline.",
            AllowMultipleArgumentsPerToken = false,
        };
        var summary = new Option<bool>("--summary")
        {
            Description = "Also count findings by check, by policy and by file: what would break if this were enforced.",
        };
        var paths = new Argument<string[]>("PATH")
        {
            Description = "Manifest files (YAML or JSON, several documents each) or folders, searched recursively; - reads standard input.",
            Arity = ArgumentArity.OneOrMore,
        };

        var command = new Command("check", Description)
        {
            policies, pss, format, ns, exclude, summary, paths,
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
                var options = new CheckOptions(parsed.GetValue(ns), NamespaceExemptions.Effective(parsed.GetValue(exclude) ?? [], ownNamespace: null));
                run = CheckRunner.Run(parsed.GetValue(paths)!, new PolicyEvaluator(compiled, exceptions), input, options);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error.WriteLine("error: " + e.Message);
                return CliApp.BadInput;
            }

            switch (parsed.GetValue(format))
            {
                case "json":
                    JsonReport.Write(run, output);
                    break;
                case "sarif":
                    SarifReport.Write(run, output);
                    break;
                case "junit":
                    JUnitReport.Write(run, output);
                    break;
                default:
                    TextReport.Write(run, output);
                    if (parsed.GetValue(summary))
                    {
                        SummaryReport.Write(run, output);
                    }

                    break;
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
