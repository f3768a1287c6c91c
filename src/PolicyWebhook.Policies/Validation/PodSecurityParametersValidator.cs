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
        RuleForEach(p => p.Volumes!.AllowedTypes)
            .Must(t => t == "*" || (t is not null && RestrictedVolumesCheck.TypeNames.Contains(t)))
            .WithMessage((_, t) => $"{PolicyValidator.Show(t)} is not a volume type (use * or one of {string.Join(", ", RestrictedVolumesCheck.TypeNames)})")
            .When(p => p.Volumes is not null).OverridePropertyName("volumes.allowedTypes");
        RuleFor(p => p.Volumes!.AllowedFlexVolumeDrivers).NotEmpty().When(p => p.Volumes?.AllowedFlexVolumeDrivers is not null)
            .WithMessage("list at least one driver, or leave allowedFlexVolumeDrivers out to allow any").OverridePropertyName("volumes.allowedFlexVolumeDrivers");
        RuleForEach(p => p.Volumes!.AllowedFlexVolumeDrivers).NotEmpty().WithMessage("a driver name must not be empty")
            .When(p => p.Volumes is not null).OverridePropertyName("volumes.allowedFlexVolumeDrivers");
    }

    private static bool IsSysctlPattern(string? name) => name is { Length: > 0 } && SysctlPattern().IsMatch(name);

    // A sysctl name (dots or slashes between segments), optionally ending in *, or a lone *.
    [System.Text.RegularExpressions.GeneratedRegex(@"^(\*|[a-z0-9]([-_a-z0-9]*[a-z0-9])?([./][a-z0-9]([-_a-z0-9]*[a-z0-9])?)*([./]?\*)?)$")]
    private static partial System.Text.RegularExpressions.Regex SysctlPattern();

    private static bool IsCapability(string? name) => name is { Length: > 0 } && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static bool IsPort(int? port) => port is >= 1 and <= 65535;

    private static string Show(int? value) => value is null ? "unset" : value.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
