using FluentValidation;
using PolicyWebhook.Policies.Resources;

namespace PolicyWebhook.Policies.Validation;

/// <summary>The rules for <c>spec.podSecurity.parameters</c>, each failure naming the parameter's field.</summary>
internal sealed class PodSecurityParametersValidator : AbstractValidator<PodSecurityParameters>
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
    }

    private static bool IsPort(int? port) => port is >= 1 and <= 65535;

    private static string Show(int? value) => value is null ? "unset" : value.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
