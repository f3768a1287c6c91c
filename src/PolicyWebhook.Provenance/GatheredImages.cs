using PolicyWebhook.Engine.Images;

namespace PolicyWebhook.Provenance;

/// <summary>
/// What one admission gathered about its images: the facts per rule entry and image, which the engine reads through
/// <see cref="IImageFactsLookup"/>, and the digest each verified image is pinned to.
/// </summary>
public sealed class GatheredImages : IImageFactsLookup
{
    private readonly Dictionary<(string Entry, string Image), ImageFacts> _facts;

    internal GatheredImages(Dictionary<(string Entry, string Image), ImageFacts> facts, IReadOnlyDictionary<string, string> pins)
    {
        _facts = facts;
        Pins = pins;
    }

    /// <summary>Nothing gathered: no policy verifies the request's images.</summary>
    public static GatheredImages None { get; } = new([], new Dictionary<string, string>());

    /// <summary>
    /// Each image every covering entry verified, mapped to the reference that pins its digest
    /// (<c>registry.example.com/shop/app:1.0@sha256:…</c>), so the kubelet pulls what was verified.
    /// </summary>
    public IReadOnlyDictionary<string, string> Pins { get; }

    /// <summary>Every fact gathered, for logs and the command line.</summary>
    public IEnumerable<ImageFacts> All => _facts.Values;

    public ImageFacts? Find(ImageVerificationEntry entry, string image)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(image);
        return _facts.GetValueOrDefault((entry.CacheKey, image));
    }
}
