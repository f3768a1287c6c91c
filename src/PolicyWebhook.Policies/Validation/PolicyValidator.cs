using System.Text.RegularExpressions;
using FluentValidation;
using FluentValidation.Results;
using k8s.Models;
using PolicyWebhook.Engine;
using PolicyWebhook.Engine.Checks;
using PolicyWebhook.Engine.Mutation;
using PolicyWebhook.Engine.Workloads;
using PolicyWebhook.Policies.Resources;

namespace PolicyWebhook.Policies.Validation;

/// <summary>
/// Every rule a policy resource must follow, each failure naming the field as it stands in the resource:
/// <c>spec.rules.images.allowedRegistries[2]: "" is not a registry host</c>.
/// </summary>
public sealed partial class PolicyValidator : AbstractValidator<PolicyResource>
{
    public PolicyValidator()
        : this(CheckRegistry.Default)
    {
    }

    public PolicyValidator(CheckRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        RuleFor(p => p.ApiVersion).MustBePolicyApiVersion();
        RuleFor(p => p.Metadata.Name).MustBeResourceName("a policy needs a name");
        RuleFor(p => p.Spec).NotNull().WithMessage("a policy needs a spec").OverridePropertyName("spec");
        RuleFor(p => p.Spec)
            .Must(s => s.PodSecurity is not null || SpecValidator.HasAnyRule(s.Rules) || s.Mutation is not null || s.NamespaceIsolation is not null).When(p => p.Spec is not null)
            .WithMessage("turns nothing on: set podSecurity, at least one rule under rules, mutation or namespaceIsolation")
            .OverridePropertyName("spec");
        RuleFor(p => p.Spec.NamespaceIsolation)
            .Null().When(p => p.IsNamespaced && p.Spec is not null)
            .WithMessage("a namespaced Policy cannot isolate namespaces: move namespaceIsolation to a ClusterPolicy")
            .OverridePropertyName("spec.namespaceIsolation");
        RuleFor(p => p.Spec).SetValidator(new SpecValidator(registry)).OverridePropertyName("spec");
    }

    /// <summary>The failures as the user reads them: <c>field: problem</c>.</summary>
    public static IReadOnlyList<string> Describe(ValidationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return [.. result.Errors.Select(e => $"{e.PropertyName}: {e.ErrorMessage}")];
    }

    internal static string Show(string? value) => value is null ? "null" : $"\"{value}\"";

    internal static bool IsDnsSubdomain(string name) => name.Length <= 253 && DnsSubdomain().IsMatch(name);

    internal static bool IsMode(string? mode) => mode is null or "Enforce" or "Warn" or "Audit";


    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();

    private sealed class SpecValidator : AbstractValidator<PolicySpec>
    {
        public SpecValidator(CheckRegistry registry)
        {
            RuleFor(s => s.Mode).MustBeModeAt("mode");
            RuleFor(s => s.PodSecurity!).SetValidator(new PodSecurityValidator()).When(s => s.PodSecurity is not null).OverridePropertyName("podSecurity");
            RuleFor(s => s.Rules!).SetValidator(new RulesValidator()).When(s => s.Rules is not null).OverridePropertyName("rules");
            RuleFor(s => s.Mutation!)
                .Must(m => m.Defaults is { Count: > 0 } || m.Resources?.Requests is { Count: > 0 } || m.Resources?.Limits is { Count: > 0 })
                .When(s => s.Mutation is not null)
                .WithMessage($"fills in nothing: list defaults ({string.Join(", ", MutationDefaults.FieldNames)}) or resources")
                .OverridePropertyName("mutation");
            RuleFor(s => s.Mutation!).SetValidator(new MutationValidator()).When(s => s.Mutation is not null).OverridePropertyName("mutation");
            RuleFor(s => s.NamespaceIsolation!.Mode).MustBeModeAt("namespaceIsolation.mode").When(s => s.NamespaceIsolation is not null);
            RuleFor(s => s.Match!).SetValidator(new MatchValidator()).When(s => s.Match is not null).OverridePropertyName("match");
            RuleFor(s => s.Exclude!).SetValidator(new ExcludeValidator(registry)).When(s => s.Exclude is not null).OverridePropertyName("exclude");
        }

        internal static bool HasAnyRule(RulesSpec? r) =>
            r is not null && (r.Resources ?? r.ReadOnlyRootFilesystem ?? r.Images ?? r.ImageTags ?? r.InlineSecrets ?? r.RuntimeSockets ?? r.AutomountServiceAccountToken ?? r.Probes ?? (ModeOnlyRule?)r.ImageVerification) is not null;
    }

    private sealed class PodSecurityValidator : AbstractValidator<PodSecuritySpec>
    {
        public PodSecurityValidator()
        {
            RuleFor(p => p.Level)
                .NotEmpty().WithMessage("required (privileged, baseline or restricted)")
                .Must(l => l is "privileged" or "baseline" or "restricted").When(p => !string.IsNullOrEmpty(p.Level))
                .WithMessage(p => $"{Show(p.Level)} is not a level (use privileged, baseline or restricted)")
                .OverridePropertyName("level");
            RuleFor(p => p.Version)
                .Must(v => v is null || PssVersion.TryParse(v, out _))
                .WithMessage(p => $"{Show(p.Version)} is not a version (use latest or v1.N, such as v1.35)")
                .OverridePropertyName("version");
            RuleFor(p => p.Mode).MustBeModeAt("mode");
            RuleFor(p => p.Parameters!).SetValidator(new PodSecurityParametersValidator()).When(p => p.Parameters is not null).OverridePropertyName("parameters");
        }
    }

    private sealed partial class RulesValidator : AbstractValidator<RulesSpec>
    {
        public RulesValidator()
        {
            RuleFor(r => r.Resources!).SetValidator(new ResourcesValidator()).When(r => r.Resources is not null).OverridePropertyName("resources");
            RuleFor(r => r.ReadOnlyRootFilesystem!.Mode).MustBeModeAt("readOnlyRootFilesystem.mode").When(r => r.ReadOnlyRootFilesystem is not null);
            RuleFor(r => r.InlineSecrets!.Mode).MustBeModeAt("inlineSecrets.mode").When(r => r.InlineSecrets is not null);
            RuleFor(r => r.ImageTags!.Mode).MustBeModeAt("imageTags.mode").When(r => r.ImageTags is not null);
            RuleFor(r => r.Images!).SetValidator(new ImagesRuleValidator()).When(r => r.Images is not null).OverridePropertyName("images");
            RuleFor(r => r.RuntimeSockets!).SetValidator(new RuntimeSocketsValidator()).When(r => r.RuntimeSockets is not null).OverridePropertyName("runtimeSockets");
            RuleFor(r => r.AutomountServiceAccountToken!.Mode).MustBeModeAt("automountServiceAccountToken.mode").When(r => r.AutomountServiceAccountToken is not null);
            RuleFor(r => r.Probes!.Mode).MustBeModeAt("probes.mode").When(r => r.Probes is not null);
            RuleFor(r => r.Probes!.Require).NotEmpty().When(r => r.Probes?.Require is not null)
                .WithMessage("list at least one probe, or leave require out for livenessProbe and readinessProbe").OverridePropertyName("probes.require");
            RuleForEach(r => r.Probes!.Require).Must(p => p is not null && ProbesOptions.Names.Contains(p))
                .WithMessage((_, p) => $"{Show(p)} is not a probe (use {string.Join(", ", ProbesOptions.Names)})")
                .When(r => r.Probes is not null).OverridePropertyName("probes.require");
            RuleFor(r => r.ImageVerification!).SetValidator(new ImageVerificationRuleValidator()).When(r => r.ImageVerification is not null).OverridePropertyName("imageVerification");
        }
    }

    private sealed partial class ResourcesValidator : AbstractValidator<ResourcesRule>
    {
        public ResourcesValidator()
        {
            RuleFor(r => r.Mode).MustBeModeAt("mode");
            RuleForEach(r => r.Require)
                .Must(e => e is not null && Entry().IsMatch(e))
                .WithMessage((_, e) => $"{Show(e)} is not a resource entry (use requests.NAME or limits.NAME, such as limits.memory)")
                .OverridePropertyName("require");
            RuleFor(r => r.Maximums).Custom((maximums, context) =>
            {
                foreach (var (key, value) in maximums ?? [])
                {
                    if (!Entry().IsMatch(key))
                    {
                        context.AddFailure($"maximums[{key}]", $"{Show(key)} is not a resource entry (use requests.NAME or limits.NAME, such as limits.cpu)");
                    }
                    else if (!IsQuantity(value))
                    {
                        context.AddFailure($"maximums[{key}]", $"{Show(value)} is not a quantity (such as 500m, 2 or 4Gi)");
                    }
                }
            });
        }

        internal static bool IsQuantity(string? value) => value is not null && Quantity().IsMatch(value) && Quantities.TryToDecimal(value, out _);

        [GeneratedRegex(@"^(requests|limits)\.[a-z0-9]([-a-z0-9./]*[a-z0-9])?$")]
        private static partial Regex Entry();

        [GeneratedRegex(@"^[+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$")]
        private static partial Regex Quantity();
    }

    private sealed class RuntimeSocketsValidator : AbstractValidator<RuntimeSocketsRule>
    {
        public RuntimeSocketsValidator()
        {
            RuleFor(r => r.Mode).MustBeModeAt("mode");
            RuleForEach(r => r.AdditionalPaths)
                .Must(p => p is not null && p.StartsWith('/'))
                .WithMessage((_, p) => $"{Show(p)} is not an absolute host path")
                .OverridePropertyName("additionalPaths");
        }
    }

    private sealed partial class MutationValidator : AbstractValidator<MutationSpec>
    {
        public MutationValidator()
        {
            RuleForEach(m => m.Defaults)
                .Must(d => d is not null && MutationDefaults.FieldNames.Contains(d))
                .WithMessage((_, d) => $"{Show(d)} is not a field mutation fills in (use {string.Join(", ", MutationDefaults.FieldNames)})")
                .OverridePropertyName("defaults");
            RuleFor(m => m.Resources).Custom((resources, context) =>
            {
                CheckQuantities(resources?.Requests, "resources.requests", context);
                CheckQuantities(resources?.Limits, "resources.limits", context);
                foreach (var (name, request) in resources?.Requests ?? [])
                {
                    if (resources?.Limits is { } limits && limits.TryGetValue(name, out var limit)
                        && ResourcesValidator.IsQuantity(request) && ResourcesValidator.IsQuantity(limit)
                        && Quantities.TryToDecimal(request, out var requested) && Quantities.TryToDecimal(limit, out var allowed) && requested > allowed)
                    {
                        context.AddFailure($"resources.requests[{name}]", $"{Show(request)} is above the default limit {Show(limit)}; a pod given both would be invalid");
                    }
                }
            });
        }

        private static void CheckQuantities(Dictionary<string, string>? values, string field, ValidationContext<MutationSpec> context)
        {
            foreach (var (name, value) in values ?? [])
            {
                if (!ResourceName().IsMatch(name))
                {
                    context.AddFailure($"{field}[{name}]", $"{Show(name)} is not a resource name (such as cpu, memory or ephemeral-storage)");
                }
                else if (!ResourcesValidator.IsQuantity(value))
                {
                    context.AddFailure($"{field}[{name}]", $"{Show(value)} is not a quantity (such as 500m, 2 or 4Gi)");
                }
            }
        }

        [GeneratedRegex(@"^[a-z0-9]([-a-z0-9./]*[a-z0-9])?$")]
        private static partial Regex ResourceName();
    }

    private sealed class MatchValidator : AbstractValidator<MatchSpec>
    {
        public MatchValidator()
        {
            RuleForEach(m => m.Namespaces).NotEmpty().WithMessage("a namespace pattern must not be empty").OverridePropertyName("namespaces");
            RuleForEach(m => m.Kinds)
                .Must(k => k is not null && PodSpecLocator.Kinds.ContainsKey(k))
                .WithMessage((_, k) => $"{Show(k)} is not a kind that carries a pod spec (use {string.Join(", ", PodSpecLocator.Kinds.Keys)})")
                .OverridePropertyName("kinds");
            RuleFor(m => m.NamespaceSelector!).SetValidator(new SelectorValidator()).When(m => m.NamespaceSelector is not null).OverridePropertyName("namespaceSelector");
            RuleFor(m => m.ObjectSelector!).SetValidator(new SelectorValidator()).When(m => m.ObjectSelector is not null).OverridePropertyName("objectSelector");
        }
    }

    internal sealed class SelectorValidator : AbstractValidator<V1LabelSelector>
    {
        public SelectorValidator()
        {
            RuleForEach(s => s.MatchExpressions).ChildRules(e =>
            {
                e.RuleFor(r => r.Key).NotEmpty().WithMessage("required").OverridePropertyName("key");
                e.RuleFor(r => r.OperatorProperty)
                    .Must(o => o is "In" or "NotIn" or "Exists" or "DoesNotExist")
                    .WithMessage(r => $"{Show(r.OperatorProperty)} is not an operator (use In, NotIn, Exists or DoesNotExist)")
                    .OverridePropertyName("operator");
                e.RuleFor(r => r.Values).NotEmpty().When(r => r.OperatorProperty is "In" or "NotIn")
                    .WithMessage(r => $"{r.OperatorProperty} needs at least one value").OverridePropertyName("values");
                e.RuleFor(r => r.Values).Empty().When(r => r.OperatorProperty is "Exists" or "DoesNotExist")
                    .WithMessage(r => $"{r.OperatorProperty} takes no values").OverridePropertyName("values");
            }).OverridePropertyName("matchExpressions");
        }
    }

    private sealed class ExcludeValidator : AbstractValidator<ExcludeSpec>
    {
        public ExcludeValidator(CheckRegistry registry)
        {
            RuleForEach(x => x.Namespaces).NotEmpty().WithMessage("a namespace pattern must not be empty").OverridePropertyName("namespaces");
            RuleForEach(x => x.Images).NotEmpty().WithMessage("an image pattern must not be empty").OverridePropertyName("images");
            RuleForEach(x => x.Checks)
                .Must(c => c is not null && registry.Contains(c))
                .WithMessage((_, c) => $"{Show(c)} is not a check id (run 'policywebhook checks list')")
                .OverridePropertyName("checks");
        }
    }
}

/// <summary>The rules several resources and fields share: modes, the API version, names.</summary>
internal static class ModeRuleExtensions
{
    /// <summary>The resource's apiVersion: policywebhook.io/v1alpha1.</summary>
    public static IRuleBuilderOptions<T, string> MustBePolicyApiVersion<T>(this IRuleBuilder<T, string> rule) =>
        rule.Equal(PolicyApi.ApiVersion)
            .WithMessage((_, version) => $"{PolicyValidator.Show(version)} is not {PolicyApi.ApiVersion}")
            .OverridePropertyName("apiVersion");

    /// <summary>metadata.name: present, and a DNS subdomain as Kubernetes requires.</summary>
    public static IRuleBuilderOptions<T, string> MustBeResourceName<T>(this IRuleBuilder<T, string> rule, string missing) =>
        rule.NotEmpty().WithMessage(missing)
            .Must(n => string.IsNullOrEmpty(n) || PolicyValidator.IsDnsSubdomain(n))
            .WithMessage((_, name) => $"{PolicyValidator.Show(name)} is not a valid name (lower-case letters, digits, '-' and '.')")
            .OverridePropertyName("metadata.name");

    /// <summary>A mode field: unset, or Enforce, Warn or Audit.</summary>
    public static IRuleBuilderOptions<T, string?> MustBeModeAt<T>(this IRuleBuilder<T, string?> rule, string field) =>
        rule.Must(PolicyValidator.IsMode)
            .WithMessage((_, mode) => $"{PolicyValidator.Show(mode)} is not a mode (use Enforce, Warn or Audit)")
            .OverridePropertyName(field);
}
