using PolicyWebhook.Engine.Evaluation;
using PolicyWebhook.Engine.Images;

namespace PolicyWebhook.Engine.Checks;

/// <summary>The registry hosts images may come from, matched exactly (<c>docker.io</c> for images without one).</summary>
public sealed record ImageRegistriesOptions(IReadOnlyList<string> AllowedRegistries);

/*
 * Poisoned images: only registries the cluster trusts may supply images.
 *
 * Restricted fields, for containers, init containers and ephemeral containers: image
 * Required: the image's registry host is one of AllowedRegistries (exact host match, port included;
 * an image without a registry comes from docker.io).
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
        foreach (var container in pod.Containers)
        {
            var image = container.Image ?? string.Empty;
            var registry = ImageReference.Parse(image).Registry;
            if (!Allowed(options.AllowedRegistries, registry))
            {
                findings.Add(
                    container.PathOf("image"),
                    $"{container.Subject} image {Text.Quote(image)} must come from an allowed registry, not {Text.Quote(registry)}",
                    registry,
                    "one of " + Text.QuoteAll(options.AllowedRegistries));
            }
        }
    }

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
