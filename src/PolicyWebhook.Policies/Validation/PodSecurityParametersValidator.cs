using FluentValidation;
using PolicyWebhook.Engine.Checks;
using PolicyWebhook.Policies.Resources;

namespace PolicyWebhook.Policies.Validation;

/// <summary>The rules for <c>spec.podSecurity.parameters</c>, each failure naming the parameter's field.</summary>
internal sealed partial class PodSecurityParametersValidator : AbstractValidator<PodSecurityParameters>
{
    public PodSecurityParametersValidator()
    {
        RuleForEach(p => p.HostPorts!.Allowed).ChildRules(r =>
        {
            r.RuleFor(x => x.Min).Must(IsPort).WithMessage(x => $"{Show(x.Min)} is not a host port (1 to 65535)").OverridePropertyName("min");
            r.RuleFor(x => x.Max).Must(IsPort).WithMessage(x => $"{Show(x.Max)} is not a host port (1 to 65535)").OverridePropertyName("max");
            r.RuleFor(x => x.Max).Must((x, max) => max >= x.Min).When(x => IsPort(x.Min) && IsPort(x.Max))
                .WithMessage(x => $"{x.Max} is below min {x.Min}").OverridePropertyName("max");
        }).When(p => p.HostPorts is not null).OverridePropertyName("hostPorts.allowed");
        RuleForEach(p => p.HostPathVolumes!.Allowed).ChildRules(r =>
            r.RuleFor(x => x.PathPrefix).Must(x => x is not null && x.StartsWith('/'))
                .WithMessage(x => $"{PolicyValidator.Show(x.PathPrefix)} is not an absolute path (such as /var/log)").OverridePropertyName("pathPrefix"))
            .When(p => p.HostPathVolumes is not null).OverridePropertyName("hostPathVolumes.allowed");
        RuleForEach(p => p.Capabilities!.Allowed)
            .Must(c => c == "*" || IsCapability(c))
            .WithMessage((_, c) => $"{PolicyValidator.Show(c)} is not a capability (such as NET_ADMIN, or * for any)")
            .When(p => p.Capabilities is not null).OverridePropertyName("capabilities.allowed");
        RuleForEach(p => p.Capabilities!.RequiredDrop)
            .Must(IsCapability)
            .WithMessage((_, c) => $"{PolicyValidator.Show(c)} is not a capability (such as NET_RAW, or ALL)")
            .When(p => p.Capabilities is not null).OverridePropertyName("capabilities.requiredDrop");
        RuleForEach(p => p.Sysctls!.Allowed).Must(IsSysctlPattern)
            .WithMessage((_, n) => $"{PolicyValidator.Show(n)} is not a sysctl name or pattern (such as net.ipv4.tcp_syncookies, kernel.* or *)")
            .When(p => p.Sysctls is not null).OverridePropertyName("sysctls.allowed");
        RuleForEach(p => p.Sysctls!.Forbidden).Must(IsSysctlPattern)
            .WithMessage((_, n) => $"{PolicyValidator.Show(n)} is not a sysctl name or pattern (such as kernel.msgmax, kernel.* or *)")
            .When(p => p.Sysctls is not null).OverridePropertyName("sysctls.forbidden");
        RuleFor(p => p.Users!.RunAsUser!).SetValidator(new IdRuleValidator("MustRunAs", "MustRunAsNonRoot", "RunAsAny"))
            .When(p => p.Users?.RunAsUser is not null).OverridePropertyName("users.runAsUser");
        RuleFor(p => p.Users!.RunAsGroup!).SetValidator(new IdRuleValidator("MustRunAs", "MayRunAs", "RunAsAny"))
            .When(p => p.Users?.RunAsGroup is not null).OverridePropertyName("users.runAsGroup");
        RuleFor(p => p.Users!.SupplementalGroups!).SetValidator(new IdRuleValidator("MustRunAs", "MayRunAs", "RunAsAny"))
            .When(p => p.Users?.SupplementalGroups is not null).OverridePropertyName("users.supplementalGroups");
        RuleFor(p => p.Users!.FsGroup!).SetValidator(new IdRuleValidator("MustRunAs", "MayRunAs", "RunAsAny"))
            .When(p => p.Users?.FsGroup is not null).OverridePropertyName("users.fsGroup");
        RuleFor(p => p.Seccomp!.AllowedProfiles).Custom((v, c) => Profiles(v, "seccomp.allowedProfiles", c)).When(p => p.Seccomp is not null);
        RuleFor(p => p.AppArmor!.AllowedProfiles).Custom((v, c) => Profiles(v, "appArmor.allowedProfiles", c)).When(p => p.AppArmor is not null);
        RuleFor(p => p.SeLinux!.AllowedOptions).NotNull().WithMessage("list the allowed option sets, such as {type: container_t}")
            .When(p => p.SeLinux is not null).OverridePropertyName("seLinux.allowedOptions");
        RuleForEach(p => p.SeLinux!.AllowedOptions)
            .Must(o => o is not null && (o.User ?? o.Role ?? o.Type ?? o.Level) is not null)
            .WithMessage("an option set names at least one of user, role, type and level")
            .When(p => p.SeLinux is not null).OverridePropertyName("seLinux.allowedOptions");
        RuleFor(p => p.ProcMount!.AllowedTypes).NotEmpty().WithMessage("list Default, Unmasked or both")
            .When(p => p.ProcMount is not null).OverridePropertyName("procMount.allowedTypes");
        RuleForEach(p => p.ProcMount!.AllowedTypes).Must(t => t is "Default" or "Unmasked")
            .WithMessage((_, t) => $"{PolicyValidator.Show(t)} is not a procMount type (use Default or Unmasked)")
            .When(p => p.ProcMount is not null).OverridePropertyName("procMount.allowedTypes");
        RuleForEach(p => p.Volumes!.AllowedTypes)
            .Must(t => t == "*" || (t is not null && RestrictedVolumesCheck.TypeNames.Contains(t)))
            .WithMessage((_, t) => $"{PolicyValidator.Show(t)} is not a volume type (use * or one of {string.Join(", ", RestrictedVolumesCheck.TypeNames)})")
            .When(p => p.Volumes is not null).OverridePropertyName("volumes.allowedTypes");
        RuleFor(p => p.Volumes!.AllowedFlexVolumeDrivers).NotEmpty().When(p => p.Volumes?.AllowedFlexVolumeDrivers is not null)
            .WithMessage("list at least one driver, or leave allowedFlexVolumeDrivers out to allow any").OverridePropertyName("volumes.allowedFlexVolumeDrivers");
        RuleForEach(p => p.Volumes!.AllowedFlexVolumeDrivers).NotEmpty().WithMessage("a driver name must not be empty")
            .When(p => p.Volumes is not null).OverridePropertyName("volumes.allowedFlexVolumeDrivers");
    }

    private static void Profiles(List<string>? profiles, string field, ValidationContext<PodSecurityParameters> context)
    {
        if (profiles is null)
        {
            context.AddFailure(field, "list the allowed profiles, such as RuntimeDefault or localhost/profiles/audit.json");
            return;
        }

        for (var i = 0; i < profiles.Count; i++)
        {
            var profile = profiles[i];
            if (profile is not ("*" or "RuntimeDefault" or "Unconfined" or "Localhost") && !(profile is { Length: > 10 } && profile.StartsWith("localhost/", StringComparison.Ordinal)))
            {
                context.AddFailure($"{field}[{i}]", $"{PolicyValidator.Show(profile)} is not a profile (use RuntimeDefault, Unconfined, Localhost, localhost/NAME or *)");
            }
        }
    }

    private static bool IsSysctlPattern(string? name) => name is { Length: > 0 } && SysctlPattern().IsMatch(name);

    // A sysctl name (dots or slashes between segments), optionally ending in *, or a lone *.
    [System.Text.RegularExpressions.GeneratedRegex(@"^(\*|[a-z0-9]([-_a-z0-9]*[a-z0-9])?([./][a-z0-9]([-_a-z0-9]*[a-z0-9])?)*([./]?\*)?)$")]
    private static partial System.Text.RegularExpressions.Regex SysctlPattern();

    private static bool IsCapability(string? name) => name is { Length: > 0 } && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static bool IsPort(int? port) => port is >= 1 and <= 65535;

    private static string Show(int? value) => value is null ? "unset" : value.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private sealed class IdRuleValidator : AbstractValidator<IdRuleSpec>
    {
        public IdRuleValidator(params string[] rules)
        {
            RuleFor(r => r.Rule).Must(r => r is not null && rules.Contains(r))
                .WithMessage(r => $"{PolicyValidator.Show(r.Rule)} is not a rule here (use {string.Join(", ", rules)})").OverridePropertyName("rule");
            RuleFor(r => r.Ranges).NotEmpty().When(r => r.Rule is "MustRunAs" or "MayRunAs")
                .WithMessage(r => $"{r.Rule} needs at least one range, such as {{min: 1000, max: 65535}}").OverridePropertyName("ranges");
            RuleFor(r => r.Ranges).Empty().When(r => r.Rule is "RunAsAny" or "MustRunAsNonRoot")
                .WithMessage(r => $"{r.Rule} takes no ranges").OverridePropertyName("ranges");
            RuleForEach(r => r.Ranges).ChildRules(range =>
            {
                range.RuleFor(x => x.Min).Must(v => v >= 0).WithMessage(x => $"{ShowId(x.Min)} is not an id (0 or more)").OverridePropertyName("min");
                range.RuleFor(x => x.Max).Must(v => v >= 0).WithMessage(x => $"{ShowId(x.Max)} is not an id (0 or more)").OverridePropertyName("max");
                range.RuleFor(x => x.Max).Must((x, max) => max >= x.Min).When(x => x.Min >= 0 && x.Max >= 0)
                    .WithMessage(x => $"{ShowId(x.Max)} is below min {ShowId(x.Min)}").OverridePropertyName("max");
            }).OverridePropertyName("ranges");
        }

        private static string ShowId(long? id) => id is null ? "unset" : id.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
