using System.Globalization;
using FluentValidation;
using PolicyWebhook.Engine.Checks;
using PolicyWebhook.Engine.Workloads;
using PolicyWebhook.Policies.Resources;

namespace PolicyWebhook.Policies.Validation;

/// <summary>
/// Every rule a PolicyException must follow: a policy, at least one known check, objects selected by name or label,
/// a justification, and an expiry no further ahead than the configured maximum (90 days by default).
/// </summary>
public sealed class PolicyExceptionValidator : AbstractValidator<PolicyException>
{
    /// <summary>The longest an exception may run, unless configured otherwise.</summary>
    public static readonly TimeSpan DefaultMaximumLifetime = TimeSpan.FromDays(90);

    private const int MinimumJustification = 20;

    public PolicyExceptionValidator()
        : this(CheckRegistry.Default, DefaultMaximumLifetime, TimeProvider.System, rejectExpired: false)
    {
    }

    /// <param name="registry">The checks that can be named.</param>
    /// <param name="maximumLifetime">How far ahead <c>expiresAt</c> may be; null to leave that to admission (the watcher
    /// judges objects already admitted, and a limit measured from now would change its verdict every day).</param>
    /// <param name="time">The clock.</param>
    /// <param name="rejectExpired">True when admitting a new or changed exception: one already expired is refused.
    /// False when loading what exists: an expired exception simply stops applying.</param>
    public PolicyExceptionValidator(CheckRegistry registry, TimeSpan? maximumLifetime, TimeProvider time, bool rejectExpired)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(time);
        RuleFor(e => e.ApiVersion).MustBePolicyApiVersion();
        RuleFor(e => e.Metadata.Name).MustBeResourceName("an exception needs a name");
        RuleFor(e => e.Spec.Policy).NotNull().WithMessage("name the policy whose checks are waived (kind and name)").OverridePropertyName("spec.policy");
        RuleFor(e => e.Spec.Policy!.Name).NotEmpty().When(e => e.Spec.Policy is not null)
            .WithMessage("required").OverridePropertyName("spec.policy.name");
        RuleFor(e => e.Spec.Policy!.Kind)
            .Must(k => k is null or ClusterPolicy.KindName or Resources.Policy.KindName).When(e => e.Spec.Policy is not null)
            .WithMessage(e => $"{PolicyValidator.Show(e.Spec.Policy!.Kind)} is not a policy kind (use ClusterPolicy or Policy)")
            .OverridePropertyName("spec.policy.kind");
        RuleFor(e => e.Spec.Checks).NotEmpty().WithMessage("list the check ids to waive, such as runAsNonRoot").OverridePropertyName("spec.checks");
        RuleForEach(e => e.Spec.Checks)
            .Must(c => c is not null && registry.Contains(c))
            .WithMessage((_, c) => $"{PolicyValidator.Show(c)} is not a check id (run 'policywebhook checks list')")
            .OverridePropertyName("spec.checks");
        RuleFor(e => e.Spec.Match)
            .Must(m => m is not null && (m.Names is { Count: > 0 } || m.ObjectSelector is not null))
            .WithMessage("select the objects waived by names or objectSelector; an exception never covers a whole namespace")
            .OverridePropertyName("spec.match");
        RuleForEach(e => e.Spec.Match!.Names)
            .Must(n => !string.IsNullOrEmpty(n) && n.Trim('*').Length > 0).When(e => e.Spec.Match is not null)
            .WithMessage((_, n) => $"{PolicyValidator.Show(n)} would match every object; name them, or part of their name, such as web-*")
            .OverridePropertyName("spec.match.names");
        RuleFor(e => e.Spec.Match!.ObjectSelector)
            .Must(s => s is null || s.MatchLabels is { Count: > 0 } || s.MatchExpressions is { Count: > 0 }).When(e => e.Spec.Match is not null)
            .WithMessage("an empty selector matches every object; give matchLabels or matchExpressions")
            .OverridePropertyName("spec.match.objectSelector");
        RuleForEach(e => e.Spec.Match!.Kinds)
            .Must(k => k is not null && PodSpecLocator.Kinds.ContainsKey(k)).When(e => e.Spec.Match is not null)
            .WithMessage((_, k) => $"{PolicyValidator.Show(k)} is not a kind that carries a pod spec (use {string.Join(", ", PodSpecLocator.Kinds.Keys)})")
            .OverridePropertyName("spec.match.kinds");
        RuleFor(e => e.Spec.Match!.ObjectSelector!).SetValidator(new PolicyValidator.SelectorValidator())
            .When(e => e.Spec.Match?.ObjectSelector is not null).OverridePropertyName("spec.match.objectSelector");
        RuleForEach(e => e.Spec.Containers).NotEmpty().WithMessage("a container pattern must not be empty").OverridePropertyName("spec.containers");
        RuleForEach(e => e.Spec.Images).NotEmpty().WithMessage("an image pattern must not be empty").OverridePropertyName("spec.images");
        RuleFor(e => e.Spec.Justification)
            .Must(j => j is not null && j.Trim().Length >= MinimumJustification)
            .WithMessage($"say why the waiver is needed, in at least {MinimumJustification} characters, for whoever reviews it")
            .OverridePropertyName("spec.justification");
        RuleFor(e => e.Spec.ExpiresAt).Custom((text, context) =>
        {
            if (string.IsNullOrEmpty(text))
            {
                context.AddFailure("spec.expiresAt", $"required: when the waiver ends, such as {time.GetUtcNow().AddDays(30):yyyy-MM-ddT00:00:00Z}");
                return;
            }

            if (!TryParseExpiry(text, out var expiresAt))
            {
                context.AddFailure("spec.expiresAt", $"{PolicyValidator.Show(text)} is not an RFC 3339 time, such as 2027-01-31T00:00:00Z");
                return;
            }

            var now = time.GetUtcNow();
            if (maximumLifetime is { } limit && expiresAt > now + limit)
            {
                context.AddFailure("spec.expiresAt", $"{PolicyValidator.Show(text)} is more than {limit.TotalDays:0} days ahead; the latest allowed today is {now + limit:yyyy-MM-dd}");
            }
            else if (rejectExpired && expiresAt <= now)
            {
                context.AddFailure("spec.expiresAt", $"{PolicyValidator.Show(text)} is in the past");
            }
        });
    }

    /// <summary>Reads an RFC 3339 time with its offset (<c>Z</c> or <c>+02:00</c>), as Kubernetes writes them.</summary>
    public static bool TryParseExpiry(string? text, out DateTimeOffset expiresAt)
    {
        expiresAt = default;
        return text is not null
            && (text.EndsWith('Z') || text.Length > 6 && text[^6] is '+' or '-')
            && text.Contains('T', StringComparison.Ordinal)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out expiresAt);
    }
}
