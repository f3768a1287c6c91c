namespace PolicyWebhook.Provenance.Formats;

/// <summary>An OCI descriptor: what a manifest lists as its config, layers, subject or (in an index) manifests.</summary>
internal sealed record OciDescriptor(string? MediaType, string? Digest, long Size, string? ArtifactType, Dictionary<string, string>? Annotations)
{
    public string? Annotation(string name) => Annotations is not null && Annotations.TryGetValue(name, out var value) ? value : null;
}

/// <summary>An OCI image manifest or index, as far as signatures and referrers need it.</summary>
internal sealed record OciManifest(
    string? MediaType,
    string? ArtifactType,
    OciDescriptor? Config,
    List<OciDescriptor>? Layers,
    List<OciDescriptor>? Manifests,
    OciDescriptor? Subject,
    Dictionary<string, string>? Annotations)
{
    /// <summary>The artifact type a referrer declares: its own <c>artifactType</c>, else its config's media type (OCI 1.1).</summary>
    public string? EffectiveArtifactType => ArtifactType ?? Config?.MediaType;

    public string? Annotation(string name) => Annotations is not null && Annotations.TryGetValue(name, out var value) ? value : null;
}

/// <summary>The media types, annotations and tags the cosign and Sigstore formats use.</summary>
internal static class Cosign
{
    public const string SimpleSigningLayer = "application/vnd.dev.cosign.simplesigning.v1+json";
    public const string DsseLayer = "application/vnd.dsse.envelope.v1+json";
    public const string SignatureAnnotation = "dev.cosignproject.cosign/signature";
    public const string PredicateTypeAnnotation = "predicateType";
    public const string BundlePrefix = "application/vnd.dev.sigstore.bundle";
    public const string BundlePredicateTypeAnnotation = "dev.sigstore.bundle.predicateType";
    public const string SignPredicate = "https://sigstore.dev/cosign/sign/v1";
    public const string SimpleSigningType = "cosign container image signature";

    /// <summary>The tag cosign stores a legacy artifact of a digest under: <c>sha256-&lt;hex&gt;.sig</c>.</summary>
    public static string Tag(string digest, string suffix) => digest.Replace(':', '-') + suffix;

    /// <summary>True for the Sigstore bundle media types (<c>application/vnd.dev.sigstore.bundle.v0.3+json</c>, <c>...bundle+json;version=0.2</c>).</summary>
    public static bool IsBundle(string? mediaType) => mediaType is not null && mediaType.StartsWith(BundlePrefix, StringComparison.Ordinal);
}
