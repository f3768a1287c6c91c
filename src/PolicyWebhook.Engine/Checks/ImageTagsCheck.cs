using PolicyWebhook.Engine.Evaluation;
using PolicyWebhook.Engine.Images;

namespace PolicyWebhook.Engine.Checks;

/// <summary>Whether a version tag is enough or every image must be pinned by digest.</summary>
public sealed record ImageTagsOptions(bool RequireDigest)
{
    public static ImageTagsOptions Default { get; } = new(RequireDigest: false);
}

/*
 * Poisoned images: a mutable tag can point at different content tomorrow.
 *
 * Restricted fields, for containers, init containers and ephemeral containers: image
 * Required: a tag other than "latest", or a digest (@sha256:...); with RequireDigest, a digest.
 * An image with no tag and no digest means :latest.
 */
public sealed class ImageTagsCheck : LeastPrivilegeCheck<ImageTagsOptions>
{
    public override string Id => "imageTags";

    public override string Title => "mutable image tags";

    public override void Evaluate(PodView pod, ImageTagsOptions options, Findings findings)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(findings);
        foreach (var container in pod.Containers)
        {
            var image = container.Image ?? string.Empty;
            var tagSpan = ImageReference.TagOf(image, out var hasDigest);
            if (hasDigest || (!options.RequireDigest && !tagSpan.IsEmpty && !tagSpan.SequenceEqual("latest")))
            {
                continue;
            }

            var reference = ImageReference.Parse(image);

            if (options.RequireDigest)
            {
                findings.Add(
                    container.PathOf("image"),
                    $"{container.Subject} must pin image {Text.Quote(image)} by digest (@sha256:...)",
                    reference.Tag is null ? "no tag or digest" : $"tag {Text.Quote(reference.Tag)}",
                    "a digest");
            }
            else if (reference.Tag is null or "latest")
            {
                findings.Add(
                    container.PathOf("image"),
                    $"{container.Subject} must pin image {Text.Quote(image)} to a version tag or digest, not {(reference.Tag is null ? "an implicit :latest" : ":latest")}",
                    reference.Tag is null ? "no tag (means :latest)" : "tag \"latest\"",
                    "a version tag or a digest");
            }
        }
    }
}
