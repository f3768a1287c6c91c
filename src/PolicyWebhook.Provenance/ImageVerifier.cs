using System.Collections.Concurrent;
using PolicyWebhook.Engine.Images;
using PolicyWebhook.Provenance.Formats;
using PolicyWebhook.Provenance.Keys;
using PolicyWebhook.Provenance.Registry;

namespace PolicyWebhook.Provenance;

/// <summary>
/// Verifies images against a rule entry's keys in every format cosign writes (legacy <c>.sig</c> and <c>.att</c> tags,
/// Sigstore bundles found as OCI referrers) and Notary Project signatures where a trusted key is a certificate. Only
/// digests are matched, never the registry host a payload names; a malformed artifact does not count and never throws.
/// Thread-safe; parsed keys are cached by their PEM text.
/// </summary>
/// <param name="registry">The registry client.</param>
/// <param name="keys">Reads the PEM of the entries' keys.</param>
/// <param name="time">The clock Notary Project certificates are judged valid at; the system clock when null.</param>
/// <param name="roots">The Sigstore trusted roots keyless signatures are verified against; the embedded public-good root when null.</param>
public sealed class ImageVerifier(IRegistry registry, IKeyMaterial keys, TimeProvider? time = null, IReadOnlyList<Sigstore.TrustedRoot>? roots = null) : IImageVerifier
{
    /// <summary>The most signature layers, attestation layers and referrers read for one image, each.</summary>
    public const int MaxArtifacts = 32;

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ConcurrentDictionary<string, TrustedKey> _parsed = new(StringComparer.Ordinal);
    private readonly KeylessSignatures _keyless = new([.. (roots ?? [Sigstore.TrustedRoot.Production]).Select(r => new Sigstore.BundleVerifier(r, time))]);

    public async Task<string> ResolveDigestAsync(ImageReference reference, CancellationToken cancellationToken)
    {
        if (reference.Digest is { } digest)
        {
            return digest;
        }

        var tag = reference.Tag ?? "latest";
        var repository = RepositoryOf(reference);
        var manifest = await registry.GetManifestAsync(reference.Registry, repository, tag, cancellationToken).ConfigureAwait(false);
        return manifest?.Digest ?? throw new ImageNotFoundException($"image {repository}:{tag} does not exist in registry {reference.Registry}");
    }

    public async Task<ImageFacts> VerifyAsync(ImageReference reference, string digest, ImageVerificationEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var entryKeys = new EntryKeys(Parse(entry.Keys), Parse(entry.Vulnerabilities?.Keys), Parse(entry.Provenance?.Keys))
        {
            Keyless = entry.Keyless,
            Annotations = entry.Annotations,
            VulnerabilityKeyless = entry.Vulnerabilities?.Keyless ?? [],
            ProvenanceKeyless = entry.Provenance?.Keyless ?? [],
            TrustedRoots = entry.TrustedRoots,
        };
        if (_keyless.Missing(entry.TrustedRoots) is { Count: > 0 } missing)
        {
            // As an unmounted key: an entry trusting a root the server does not have verifies nothing, and says why.
            return new ImageFacts(reference.ToString()) { Digest = digest, Failure = $"trusted root {string.Join(", ", missing)} is not mounted (imageVerification.trustedRootsConfigMap)" };
        }

        var collector = new FactsCollector(digest, entryKeys);
        if (Digests.IsSha256(digest))
        {
            var at = new Location(reference.Registry, RepositoryOf(reference), digest);
            await Task.WhenAll(
                entryKeys.WantsSignatures ? ReadLegacySignaturesAsync(at, collector, cancellationToken) : Task.CompletedTask,
                entryKeys.WantsAttestations ? ReadLegacyAttestationsAsync(at, collector, cancellationToken) : Task.CompletedTask,
                entryKeys.WantsSignatures || entryKeys.WantsAttestations ? ReadReferrersAsync(at, collector, cancellationToken) : Task.CompletedTask).ConfigureAwait(false);
        }

        var facts = collector.ToFacts(reference.ToString());
        return facts.SignedBy.Count < 2 ? facts : facts with { SignedBy = DistinctKeys(facts.SignedBy, entryKeys.Signatures) };
    }

    // "Distinct keys" are distinct keys, not names: one PEM named twice (inline and from a Secret, or two Secrets during
    // a rotation) must not meet requiredSignatures: 2 with one signer. The first name of each key is kept.
    private static List<string> DistinctKeys(IReadOnlyList<string> signedBy, IReadOnlyList<NamedKey> keys)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var distinct = new List<string>(signedBy.Count);
        foreach (var name in signedBy)
        {
            var key = keys.FirstOrDefault(k => k.Name == name);
            if (key is null || seen.Add(key.Key.Hint))
            {
                distinct.Add(name);
            }
        }

        return distinct;
    }

    /// <summary>The path after the registry host, as the distribution API names it: Docker Hub's <c>nginx</c> is <c>library/nginx</c>.</summary>
    public static string RepositoryOf(ImageReference reference) => reference.Name[(reference.Registry.Length + 1)..];

    private async Task ReadLegacySignaturesAsync(Location at, FactsCollector collector, CancellationToken cancellationToken)
    {
        var layers = await LayersAsync(at, Cosign.Tag(at.Digest, ".sig"), Cosign.SimpleSigningLayer, cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(layers.Select(layer => Guarded(async () =>
        {
            var blob = await Refusable(registry.GetBlobAsync(at.Registry, at.Repository, layer.Digest!, cancellationToken)).ConfigureAwait(false);
            foreach (var (keyName, named) in CosignSignature.Verify(layer, blob, collector.Keys.Signatures, collector.Keys.Annotations))
            {
                collector.AddSignature(keyName, named);
            }

            if (collector.Keys.Keyless.Count > 0 && KeylessSignatures.IsKeylessLayer(layer))
            {
                _keyless.VerifyLayer(layer, blob, collector);
            }
        }))).ConfigureAwait(false);
    }

    private async Task ReadLegacyAttestationsAsync(Location at, FactsCollector collector, CancellationToken cancellationToken)
    {
        var layers = await LayersAsync(at, Cosign.Tag(at.Digest, ".att"), Cosign.DsseLayer, cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(layers.Where(l => collector.Keys.Wants(l.Annotation(Cosign.PredicateTypeAnnotation))).Select(layer => Guarded(async () =>
        {
            var blob = await Refusable(registry.GetBlobAsync(at.Registry, at.Repository, layer.Digest!, cancellationToken)).ConfigureAwait(false);
            if (Json.Read<DsseEnvelope>(blob.Span) is { } envelope)
            {
                collector.AddEnvelope(envelope);
            }
        }))).ConfigureAwait(false);
    }

    private async Task ReadReferrersAsync(Location at, FactsCollector collector, CancellationToken cancellationToken)
    {
        var index = await Refusable(registry.GetReferrersAsync(at.Registry, at.Repository, at.Digest, cancellationToken)).ConfigureAwait(false);
        if (index is null || Json.Read<OciManifest>(index.Bytes.Span)?.Manifests is not { } referrers)
        {
            return;
        }

        // The index entry's artifactType is not read: cosign writes the empty type there (see the fixtures' README).
        await Task.WhenAll(referrers.Where(r => Digests.IsSha256(r.Digest)).Take(MaxArtifacts).Select(referrer => Guarded(async () =>
        {
            var manifest = await Refusable(registry.GetManifestAsync(at.Registry, at.Repository, referrer.Digest!, cancellationToken)).ConfigureAwait(false);
            if (manifest is null || Json.Read<OciManifest>(manifest.Bytes.Span) is not { } artifact)
            {
                return;
            }

            if (Cosign.IsBundle(artifact.EffectiveArtifactType) && collector.Keys.Wants(artifact.Annotation(Cosign.BundlePredicateTypeAnnotation)))
            {
                await ReadBundleAsync(at, artifact, collector, cancellationToken).ConfigureAwait(false);
            }
            else if (artifact.EffectiveArtifactType == NotarySignature.ArtifactType && collector.Keys.Annotations.Count == 0 && collector.Keys.Signatures.Any(k => k.Key.Certificate is not null))
            {
                await ReadNotarySignatureAsync(at, artifact, collector, cancellationToken).ConfigureAwait(false);
            }
        }))).ConfigureAwait(false);
    }

    private async Task ReadBundleAsync(Location at, OciManifest artifact, FactsCollector collector, CancellationToken cancellationToken)
    {
        if (artifact.Layers?.FirstOrDefault(l => Cosign.IsBundle(l.MediaType) && Digests.IsSha256(l.Digest)) is not { } layer)
        {
            return;
        }

        var blob = await Refusable(registry.GetBlobAsync(at.Registry, at.Repository, layer.Digest!, cancellationToken)).ConfigureAwait(false);
        if (collector.Keys.Keyless.Count > 0 || collector.Keys.WantsKeylessAttestations)
        {
            _keyless.VerifyBundle(blob.Span, at.Digest, collector);
        }

        if (SigstoreBundle.Read(blob.Span) is not { } bundle)
        {
            return;
        }

        if (bundle.DsseEnvelope is { } envelope)
        {
            collector.AddEnvelope(envelope);
        }

        // Required annotations live in a simple-signing payload: a bundle cannot carry them.
        foreach (var (keyName, named) in collector.Keys.Annotations.Count > 0 ? [] : bundle.MessageSignedBy(collector.Keys.Signatures))
        {
            collector.AddSignature(keyName, named);
        }
    }

    private async Task ReadNotarySignatureAsync(Location at, OciManifest artifact, FactsCollector collector, CancellationToken cancellationToken)
    {
        if (artifact.Layers?.FirstOrDefault(l => l.MediaType == NotarySignature.JwsMediaType && Digests.IsSha256(l.Digest)) is not { } layer)
        {
            return;
        }

        var blob = await Refusable(registry.GetBlobAsync(at.Registry, at.Repository, layer.Digest!, cancellationToken)).ConfigureAwait(false);
        foreach (var (keyName, named) in NotarySignature.Verify(blob.Span, collector.Keys.Signatures, _time.GetUtcNow()))
        {
            collector.AddSignature(keyName, named);
        }
    }

    // The layers of a legacy cosign tag of this media type that can be fetched, at most MaxArtifacts of them.
    private async Task<IReadOnlyList<OciDescriptor>> LayersAsync(Location at, string tag, string mediaType, CancellationToken cancellationToken)
    {
        var manifest = await Refusable(registry.GetManifestAsync(at.Registry, at.Repository, tag, cancellationToken)).ConfigureAwait(false);
        return manifest is null || Json.Read<OciManifest>(manifest.Bytes.Span)?.Layers is not { } layers
            ? []
            : [.. layers.Where(l => l.MediaType == mediaType && Digests.IsSha256(l.Digest)).Take(MaxArtifacts)];
    }

    // One artifact's reading and checking: whatever goes wrong in it (a format this code misreads, a crafted header)
    // makes that artifact not count, and never fails the image as a whole; a registry that does not answer still does.
    private static async Task Guarded(Func<Task> work)
    {
        try
        {
            await work().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not (OperationCanceledException or RegistryUnavailableException))
        {
        }
    }

    // An artifact the registry serves oversized, under another digest or as broken JSON does not count: it is read as
    // absent (null, or an empty blob that verifies nothing), so only a registry that does not answer is "unavailable".
    private static async Task<T?> Refusable<T>(Task<T> fetch)
    {
        try
        {
            return await fetch.ConfigureAwait(false);
        }
        catch (RegistryContentException)
        {
            return default;
        }
    }

    private List<NamedKey> Parse(IReadOnlyList<TrustedKeySource>? sources) =>
        sources is null ? [] : [.. sources.Select(source => new NamedKey(source.Name, Parse(source)))];

    private TrustedKey Parse(TrustedKeySource source)
    {
        var pem = keys.ReadPem(source);
        if (_parsed.TryGetValue(pem, out var key))
        {
            return key;
        }

        return TrustedKey.TryParse(pem, out key, out var error)
            ? _parsed.GetOrAdd(pem, key)
            : throw new KeyMaterialException($"trusted key {source.Name}: {error}");
    }

    private sealed record Location(string Registry, string Repository, string Digest);
}
