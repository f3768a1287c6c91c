using System.Text.RegularExpressions;
using FluentValidation;
using PolicyWebhook.Policies.Resources;

namespace PolicyWebhook.Policies.Validation;

/// <summary>The rules for <c>spec.rules.images</c>: registry hosts, and repository patterns allowed and denied.</summary>
internal sealed partial class ImagesRuleValidator : AbstractValidator<ImagesRule>
{
    public ImagesRuleValidator()
    {
        RuleFor(r => r.Mode).MustBeModeAt("mode");
        RuleFor(r => r.AllowedRegistries).NotEmpty().When(r => r.AllowedRepositories is null && r.DeniedRepositories is null)
            .WithMessage("list at least one registry host, such as ghcr.io (or set allowedRepositories or deniedRepositories)").OverridePropertyName("allowedRegistries");
        RuleFor(r => r.AllowedRepositories).NotEmpty().When(r => r.AllowedRepositories is not null)
            .WithMessage("list at least one repository pattern, such as ghcr.io/acme/*; an empty list would refuse every image").OverridePropertyName("allowedRepositories");
        RuleForEach(r => r.AllowedRepositories).Must(IsRepositoryPattern).WithMessage((_, p) => RepositoryPatternProblem(p)).OverridePropertyName("allowedRepositories");
        RuleForEach(r => r.DeniedRepositories).Must(IsRepositoryPattern).WithMessage((_, p) => RepositoryPatternProblem(p)).OverridePropertyName("deniedRepositories");
        RuleForEach(r => r.AllowedRegistries)
            .Must(h => h is not null && RegistryHost().IsMatch(h))
            .WithMessage((_, h) => h is not null && h.Contains('/', StringComparison.Ordinal)
                ? $"{PolicyValidator.Show(h)} is not a registry host (write the host only, such as ghcr.io)"
                : $"{PolicyValidator.Show(h)} is not a registry host")
            .OverridePropertyName("allowedRegistries");
    }

    [GeneratedRegex(@"^(?i:[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)(:[0-9]{1,5})?$")]
    private static partial Regex RegistryHost();

    // A glob is matched as written, so it must name its registry host first (docker.io/library/*), or be a lone *.
    internal static bool IsRepositoryPattern(string? pattern) =>
        pattern is { Length: > 0 } && !pattern.Any(char.IsWhiteSpace)
        && (pattern == "*" || !pattern.Contains('*', StringComparison.Ordinal) || HasRegistryHost(pattern));

    private static bool HasRegistryHost(string pattern)
    {
        var slash = pattern.IndexOf('/', StringComparison.Ordinal);
        var first = slash > 0 ? pattern[..slash] : string.Empty;
        return !first.Contains('*', StringComparison.Ordinal) && (first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost");
    }

    internal static string RepositoryPatternProblem(string? pattern) => pattern is { Length: > 0 } && !pattern.Any(char.IsWhiteSpace)
        ? $"{PolicyValidator.Show(pattern)} is a glob without a registry host; write it in full, such as docker.io/library/* or ghcr.io/acme/*"
        : $"{PolicyValidator.Show(pattern)} is not a repository pattern (such as ghcr.io/acme/* or nginx:1.27)";
}
