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
        var allowEmpty = new Option<bool>("--allow-empty")
        {
            Description = "Exit 0 when the paths hold no Kubernetes object at all. Default: that is an error (exit 2), as a CI job pointed at the wrong folder should fail.",
        };
        var filenames = new Option<string[]>("--filename", "-f")
        {
            Description = "As kubectl's -f: a manifest file, or a folder whose own files are read (all below it with -R); - reads standard input (repeatable).",
            AllowMultipleArgumentsPerToken = false,
        };
        var recursive = new Option<bool>("--recursive", "-R")
        {
            Description = "As kubectl's -R: read the folders given with -f and every folder below them. Folders given as PATH are always read recursively.",
        };
        var paths = new Argument<string[]>("PATH")
        {
            Description = "Manifest files (YAML or JSON, several documents each) or folders, searched recursively; - reads standard input.",
            Arity = ArgumentArity.ZeroOrMore,
        };

        var command = new Command("check", Description)
        {
            policies, pss, format, ns, exclude, summary, allowEmpty, filenames, recursive, paths,
        };
        command.SetAction(parsed =>
        {
            var inputs = (parsed.GetValue(paths) ?? []).Select(p => new ManifestPath(p))
                .Concat((parsed.GetValue(filenames) ?? []).Select(p => new ManifestPath(p, parsed.GetValue(recursive))))
                .ToList();
            if (inputs.Count == 0)
            {
                error.WriteLine("error: no manifests to check: name files or folders (PATH, or -f as with kubectl), or - for standard input");
                error.WriteLine("Run 'policywebhook check --help' for usage.");
                return CliApp.BadInput;
            }

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
                run = CheckRunner.Run(inputs, new PolicyEvaluator(compiled, exceptions), input, options);
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

            // As kubectl apply's "no objects passed to apply": a folder or input without a single Kubernetes object
            // is a mistake (a CI job pointed at the wrong folder), not a pass.
            if (run.ObjectsFound == 0 && run.Errors.Count == 0 && !parsed.GetValue(allowEmpty))
            {
                var named = string.Join(", ", inputs.Select(p => p.Path == CheckRunner.StandardInput ? "standard input" : p.Path));
                error.WriteLine($"error: no objects found in {named} (--allow-empty accepts that)");
                return CliApp.BadInput;
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
            if (!TryParseStandard(pss, out var standard, out var problem))
            {
                error.WriteLine($"error: --pss \"{pss}\": {problem}");
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

    /// <summary>A <c>--pss</c> value as a policy, or what is wrong with it, naming the unknown part and what is known.</summary>
    private static bool TryParseStandard(string text, out CompiledPolicy policy, out string problem)
    {
        policy = null!;
        problem = string.Empty;
        var parts = text.Split(':', 2);
        PssLevel level;
        switch (parts[0])
        {
            case "privileged": level = PssLevel.Privileged; break;
            case "baseline": level = PssLevel.Baseline; break;
            case "restricted": level = PssLevel.Restricted; break;
            default:
                problem = $"unknown level \"{parts[0]}\" (known: privileged, baseline, restricted; give LEVEL[:VERSION], such as restricted or baseline:v1.29)";
                return false;
        }

        var version = PssVersion.Latest;
        if (parts.Length == 2 && !PssVersion.TryParse(parts[1], out version))
        {
            problem = $"unknown version \"{parts[1]}\" (known: v1.0 to v1.{PssVersion.NewestKnownMinor}, or latest)";
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
