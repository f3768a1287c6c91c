using PolicyWebhook.Engine.Evaluation;
using PolicyWebhook.Engine.Images;
using PolicyWebhook.Engine.Matching;

namespace PolicyWebhook.Engine.Checks;

/// <summary>
/// The registry hosts images may come from, matched exactly (<c>docker.io</c> for images without one; an empty list
/// restricts no host), and repository globs allowed and denied, matched against the normalised reference.
/// </summary>
public sealed record ImageRegistriesOptions(
    IReadOnlyList<string> AllowedRegistries,
    IReadOnlyList<string>? AllowedRepositories = null,
    IReadOnlyList<string>? DeniedRepositories = null);

/*
 * Poisoned images: only registries the cluster trusts may supply images.
 *
 * Restricted fields, for containers, init containers and ephemeral containers: image
 * Required: the image's registry host is one of AllowedRegistries (exact host match, port included;
 * an image without a registry comes from docker.io); when AllowedRepositories is set, the image matches one of
 * them; it matches none of DeniedRepositories. Repository patterns are globs (* for any run of characters) over the
 * normalised reference (nginx:1.27 is docker.io/library/nginx:1.27); a pattern with neither tag nor digest matches
 * every tag and digest of the repositories it names. Patterns without * are normalised the same way.
 */
public sealed class ImageRegistriesCheck : LeastPrivilegeCheck<ImageRegistriesOptions>
{
    public override string Id => "imageRegistries";

    public override string Title => "images from untrusted registries";

    public override void Evaluate(PodView pod, ImageRegistriesOptions options, Findings findings)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(findings);
        var allowedRepositories = Patterns(options.AllowedRepositories);
        var deniedRepositories = Patterns(options.DeniedRepositories);
        foreach (var container in pod.Containers)
        {
            var image = container.Image ?? string.Empty;
            var reference = ImageReference.Parse(image);
            var registry = reference.Registry;
            if (options.AllowedRegistries.Count > 0 && !Allowed(options.AllowedRegistries, registry))
            {
                findings.Add(
                    container.PathOf("image"),
                    $"{container.Subject} image {Text.Quote(image)} must come from an allowed registry, not {Text.Quote(registry)}",
                    registry,
                    "one of " + Text.QuoteAll(options.AllowedRegistries));
            }

            if (allowedRepositories is not null && !allowedRepositories.Any(p => Matches(p, reference)))
            {
                findings.Add(
                    container.PathOf("image"),
                    $"{container.Subject} image {Text.Quote(reference.ToString())} matches no allowed repository {Text.QuoteAll(allowedRepositories.Select(p => p.Patterns[0]))}",
                    reference.ToString(),
                    "one of " + Text.QuoteAll(allowedRepositories.Select(p => p.Patterns[0])));
            }

            if (deniedRepositories?.FirstOrDefault(p => Matches(p, reference)) is { } denied)
            {
                findings.Add(
                    container.PathOf("image"),
                    $"{container.Subject} image {Text.Quote(reference.ToString())} matches the denied repository {Text.Quote(denied.Patterns[0])}",
                    reference.ToString(),
                    "none of " + Text.QuoteAll(deniedRepositories.Select(p => p.Patterns[0])));
            }
        }
    }

    /// <summary>A repository pattern as it is matched: normalised like an image when it has no <c>*</c>, else as written.</summary>
    public static string NormalizePattern(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        if (!pattern.Contains('*', StringComparison.Ordinal))
        {
            return ImageReference.Parse(pattern).ToString();
        }

        // A glob's registry host is normalised as an image's is (case, index.docker.io, :443), or it would match nothing.
        var trimmed = pattern.Trim();
        var slash = trimmed.IndexOf('/', StringComparison.Ordinal);
        var first = slash > 0 ? trimmed[..slash] : string.Empty;
        return first.Length > 0 && !first.Contains('*', StringComparison.Ordinal)
            && (first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost")
            ? ImageReference.NormalizeRegistry(first) + trimmed[slash..]
            : trimmed;
    }

    private static List<GlobSet>? Patterns(IReadOnlyList<string>? patterns) =>
        patterns is null ? null : [.. patterns.Select(p => new GlobSet([NormalizePattern(p)]))];

    // A pattern may name a repository (any tag), a repository and tag, or the whole reference.
    private static bool Matches(GlobSet pattern, ImageReference reference) =>
        pattern.Matches(reference.Name)
        || (reference.Tag is not null && pattern.Matches(reference.Name + ":" + reference.Tag))
        || pattern.Matches(reference.ToString());

    private static bool Allowed(IReadOnlyList<string> allowed, string registry)
    {
        foreach (var entry in allowed)
        {
            if (string.Equals(ImageReference.NormalizeRegistry(entry), registry, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
