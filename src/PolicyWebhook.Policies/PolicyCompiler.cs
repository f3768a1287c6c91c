using k8s.Models;
using PolicyWebhook.Engine;
using PolicyWebhook.Engine.Checks;
using PolicyWebhook.Engine.Exceptions;
using PolicyWebhook.Engine.Matching;
using PolicyWebhook.Engine.Mutation;
using PolicyWebhook.Policies.Resources;
using PolicyWebhook.Policies.Validation;

namespace PolicyWebhook.Policies;

/// <summary>Turns a validated policy resource into the engine's <see cref="CompiledPolicy"/>.</summary>
public static class PolicyCompiler
{
    public static CompiledPolicy Compile(PolicyResource policy, CheckRegistry? registry = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        registry ??= CheckRegistry.Default;
        var spec = policy.Spec;
        var mode = ParseMode(spec.Mode, PolicyMode.Enforce);
        var reference = new PolicyReference(
            policy.Kind,
            policy.Metadata.Name,
            policy.IsNamespaced ? (string.IsNullOrEmpty(policy.Metadata.NamespaceProperty) ? "default" : policy.Metadata.NamespaceProperty) : null);

        PodSecuritySettings? podSecurity = null;
        if (spec.PodSecurity is { } pss)
        {
            var level = ParseLevel(pss.Level);
            var version = pss.Version is null ? PssVersion.Latest : PssVersion.Parse(pss.Version);
            var parameters = PodSecurityParametersCompiler.Compile(pss.Parameters, registry.TableFor(level, version), version);
            podSecurity = new PodSecuritySettings(level, version, ParseMode(pss.Mode, mode), parameters);
        }

        var checks = new List<ConfiguredCheck>();
        var rules = spec.Rules;
        if (rules?.Resources is { } resources)
        {
            var options = new ResourcesOptions(
                resources.Require ?? [.. ResourcesOptions.Default.Require],
                (resources.Maximums ?? []).ToDictionary(kv => kv.Key, kv => new ResourceQuantity(kv.Value), StringComparer.Ordinal));
            checks.Add(Bind(registry.Get<ResourcesCheck>(), options, resources.Mode, mode));
        }

        if (rules?.ReadOnlyRootFilesystem is { } readOnly)
        {
            checks.Add(Bind(registry.Get<ReadOnlyRootFilesystemCheck>(), ReadOnlyRootFilesystemOptions.Default, readOnly.Mode, mode));
        }

        if (rules?.Images is { } images)
        {
            checks.Add(Bind(registry.Get<ImageRegistriesCheck>(), new ImageRegistriesOptions(images.AllowedRegistries ?? [], images.AllowedRepositories, images.DeniedRepositories), images.Mode, mode));
        }

        if (rules?.ImageTags is { } tags)
        {
            checks.Add(Bind(registry.Get<ImageTagsCheck>(), new ImageTagsOptions(tags.RequireDigest ?? false), tags.Mode, mode));
        }

        if (rules?.InlineSecrets is { } secrets)
        {
            checks.Add(Bind(registry.Get<InlineSecretsCheck>(), InlineSecretsOptions.Default, secrets.Mode, mode));
        }

        if (rules?.RuntimeSockets is { } sockets)
        {
            checks.Add(Bind(registry.Get<RuntimeSocketsCheck>(), new RuntimeSocketsOptions(sockets.AdditionalPaths ?? []), sockets.Mode, mode));
        }

        if (rules?.AutomountServiceAccountToken is { } automount)
        {
            checks.Add(Bind(registry.Get<AutomountServiceAccountTokenCheck>(), AutomountServiceAccountTokenOptions.Default, automount.Mode, mode));
        }

        if (rules?.Probes is { } probes)
        {
            checks.Add(Bind(registry.Get<ProbesCheck>(), probes.Require is { } require ? new ProbesOptions(require) : ProbesOptions.Default, probes.Mode, mode));
        }

        if (rules?.ImageVerification is { } verification)
        {
            checks.Add(Bind(registry.Get<ImageVerificationCheck>(), ImageVerificationCompiler.Compile(verification, policy, reference), verification.Mode, mode));
        }

        var match = CompileMatch(spec.Match);
        var exclude = CompileExclude(spec.Exclude);

        var mutation = spec.Mutation is { } mu
            ? MutationDefaults.From(mu.Defaults ?? [], mu.Resources?.Requests, mu.Resources?.Limits)
            : null;

        return new CompiledPolicy(reference, podSecurity, checks, match, exclude, registry, mutation);
    }

    /// <summary>The policy's namespace isolation rule, or null when it has none (validate policies before compiling them).</summary>
    public static NamespaceIsolationRule? CompileIsolation(PolicyResource policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (policy.Spec.NamespaceIsolation is not { } rule)
        {
            return null;
        }

        return new NamespaceIsolationRule(
            policy.Metadata.Name,
            ParseMode(rule.Mode, ParseMode(policy.Spec.Mode, PolicyMode.Enforce)),
            rule.Egress ?? false,
            rule.AllowDns ?? true,
            rule.Generate ?? true,
            rule.Keep ?? false,
            CompileMatch(policy.Spec.Match),
            CompileExclude(policy.Spec.Exclude));
    }

    private static PolicyMatch CompileMatch(MatchSpec? match) => match is { } m
        ? new PolicyMatch(
            new GlobSet(m.Namespaces ?? []),
            m.NamespaceSelector is null ? null : new LabelSelector(m.NamespaceSelector),
            m.ObjectSelector is null ? null : new LabelSelector(m.ObjectSelector),
            new HashSet<string>(m.Kinds ?? [], StringComparer.Ordinal))
        : PolicyMatch.All;

    private static PolicyExclusions CompileExclude(ExcludeSpec? exclude) => exclude is { } x
        ? new PolicyExclusions(new GlobSet(x.Namespaces ?? []), new GlobSet(x.Images ?? []), new HashSet<string>(x.Checks ?? [], StringComparer.Ordinal))
        : PolicyExclusions.None;

    private static readonly PolicyValidator Policies = new();

    // What exists was admitted already: its lifetime was judged then, and an expired one simply stops applying.
    private static readonly PolicyExceptionValidator AdmittedExceptions = new(CheckRegistry.Default, maximumLifetime: null, TimeProvider.System, rejectExpired: false);

    /// <summary>
    /// Judges a policy read from a cluster by the rules applied on admission: compiled when valid; otherwise null
    /// and every problem (<c>field: problem</c>), so a broken policy is left out whole, never half-applied.
    /// </summary>
    public static (CompiledPolicy? Compiled, IReadOnlyList<string> Problems) CompileIfValid(PolicyResource policy)
    {
        var problems = PolicyValidator.Describe(Policies.Validate(policy));
        return (problems.Count == 0 ? Compile(policy) : null, problems);
    }

    /// <summary>Judges a PolicyException read from a cluster the same way; its expiry is left to evaluation.</summary>
    public static (CompiledException? Compiled, IReadOnlyList<string> Problems) CompileIfValid(PolicyException exception)
    {
        var problems = PolicyValidator.Describe(AdmittedExceptions.Validate(exception));
        return (problems.Count == 0 ? Compile(exception) : null, problems);
    }

    /// <summary>Turns a validated PolicyException into the engine's <see cref="CompiledException"/>.</summary>
    public static CompiledException Compile(PolicyException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var spec = exception.Spec;
        var ns = string.IsNullOrEmpty(exception.Metadata.NamespaceProperty) ? "default" : exception.Metadata.NamespaceProperty;
        var kind = spec.Policy?.Kind ?? ClusterPolicy.KindName;
        var policy = new PolicyReference(kind, spec.Policy?.Name ?? string.Empty, kind == Resources.Policy.KindName ? ns : null);
        if (!PolicyExceptionValidator.TryParseExpiry(spec.ExpiresAt, out var expiresAt))
        {
            throw new ArgumentException("expiresAt is not a time; validate exceptions before compiling them", nameof(exception));
        }

        return new CompiledException(
            new PolicyReference(PolicyException.KindName, exception.Metadata.Name, ns),
            policy,
            new HashSet<string>(spec.Checks ?? [], StringComparer.Ordinal),
            new GlobSet(spec.Match?.Names ?? []),
            spec.Match?.ObjectSelector is { } selector ? new LabelSelector(selector) : null,
            new HashSet<string>(spec.Match?.Kinds ?? [], StringComparer.Ordinal),
            new GlobSet(spec.Containers ?? []),
            new GlobSet(spec.Images ?? []),
            expiresAt);
    }

    private static ConfiguredCheck Bind<TOptions>(LeastPrivilegeCheck<TOptions> check, TOptions options, string? mode, PolicyMode policyMode)
        where TOptions : class =>
        new(check.Id, ParseMode(mode, policyMode), check.Bind(options)) { Options = options };

    private static PolicyMode ParseMode(string? mode, PolicyMode fallback) => mode switch
    {
        null => fallback,
        "Enforce" => PolicyMode.Enforce,
        "Warn" => PolicyMode.Warn,
        "Audit" => PolicyMode.Audit,
        _ => throw new ArgumentException($"\"{mode}\" is not a mode; validate policies before compiling them", nameof(mode)),
    };

    private static PssLevel ParseLevel(string? level) => level switch
    {
        "privileged" => PssLevel.Privileged,
        "baseline" => PssLevel.Baseline,
        "restricted" => PssLevel.Restricted,
        _ => throw new ArgumentException($"\"{level}\" is not a level; validate policies before compiling them", nameof(level)),
    };
}
