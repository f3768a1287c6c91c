using System.Text.Json.Nodes;
using PolicyWebhook.Engine.Images;
using PolicyWebhook.Provenance.Formats;
using PolicyWebhook.Provenance.Sigstore;
using PolicyWebhook.Tests.Shared;
using static PolicyWebhook.Provenance.Tests.Verification.ProvenanceFixtures;

namespace PolicyWebhook.Provenance.Tests.Verification;

/// <summary>
/// Keyless signatures of an image, in both formats cosign writes, made by a test Sigstore (its own Fulcio CA and Rekor
/// log, trusted through its trusted_root.json) and served by the registry: who signed counts when an entry names them.
/// </summary>
public sealed class KeylessVerificationTests : IDisposable
{
    private const string Repo = "shop/app";

    private readonly FileSystemRegistry _registry = new();
    private readonly TestSigstore _sigstore = new();

    public void Dispose() => _sigstore.Dispose();

    private static ImageVerificationEntry Entry(params KeylessIdentity[] identities) =>
        new("release", ["**"], [], 1, null, null, RegistryErrorAction.Deny) { Keyless = identities };

    private static KeylessIdentity Release(IReadOnlyDictionary<string, string>? extensions = null) =>
        new(TestSigstore.DefaultIssuer, TestSigstore.DefaultSubject, null, extensions ?? new Dictionary<string, string>());

    private Task<ImageFacts> VerifyAsync(ImageVerificationEntry entry, IReadOnlyList<TrustedRoot>? roots = null) =>
        new ImageVerifier(_registry, new InlineKeyMaterial(), roots: roots ?? [TrustedRoot.Parse(_sigstore.TrustedRootJson)])
            .VerifyAsync(ImageReference.Parse($"registry.example.com/{Repo}@{App20}"), App20, entry, TestContext.Current.CancellationToken);

    private void PublishLegacy(TestSigning? signing = null)
    {
        var signed = _sigstore.SignImageLegacy(Repo, App20, signing);
        var layer = TestArtifacts.Descriptor(Cosign.SimpleSigningLayer, _registry.PutBlob(signed.Payload));
        layer["annotations"] = new JsonObject
        {
            [Cosign.SignatureAnnotation] = signed.Signature,
            [KeylessSignatures.CertificateAnnotation] = signed.Certificate,
            ["dev.sigstore.cosign/chain"] = signed.Chain,
            [KeylessSignatures.RekorBundleAnnotation] = signed.RekorBundle,
        };
        TestArtifacts.PublishLegacy(_registry, App20, ".sig", layer);
    }

    [Fact]
    public async Task VerifyAsync_LegacyKeylessSignatureByTheIdentity_Counts()
    {
        PublishLegacy();

        var facts = await VerifyAsync(Entry(Release()));

        Assert.Equal([TestSigstore.DefaultSubject], facts.SignedBy);
        Assert.Empty(facts.OtherKeylessSigners);
    }

    [Fact]
    public async Task VerifyAsync_LegacyKeylessSignatureByAnotherIdentity_NamesTheSignerAndDoesNotCount()
    {
        const string Dev = "https://github.com/example/app/.github/workflows/ci.yml@refs/heads/dev";
        PublishLegacy(new TestSigning { Subject = Dev });

        var facts = await VerifyAsync(Entry(Release()));

        Assert.Empty(facts.SignedBy);
        Assert.Equal([(Dev, TestSigstore.DefaultIssuer)], facts.OtherKeylessSigners);
    }

    [Theory]
    [InlineData("another issuer", null)]
    [InlineData("another CA", "certificate chain: ")]
    [InlineData("a SET by another key", "signed entry timestamp: ")]
    [InlineData("expired at signing", "certificate chain: ")]
    [InlineData("another digest", null)]
    public async Task VerifyAsync_LegacyKeylessSignatureBroken_DoesNotCountAndSaysWhichStepFailed(string broken, string? step)
    {
        PublishLegacy(broken switch
        {
            "another issuer" => new TestSigning { Issuer = "https://accounts.google.com" },
            "another CA" => new TestSigning { FromOtherCa = true },
            "a SET by another key" => new TestSigning { SetSignedByOtherKey = true },
            "expired at signing" => new TestSigning { ExpiredAtIntegratedTime = true },
            _ => new TestSigning { SignedDigest = App10 },
        });

        var facts = await VerifyAsync(Entry(Release()));

        Assert.Empty(facts.SignedBy);
        // Another issuer verified, but is not the entry's: it is named. The rest did not verify, or named another digest.
        Assert.Equal(broken == "another issuer" ? 1 : 0, facts.OtherKeylessSigners.Count);
        Assert.Equal(broken == "another digest" ? [(TestSigstore.DefaultSubject, App10)] : [], facts.SignaturesForOtherDigests);
        if (step is null)
        {
            Assert.Empty(facts.KeylessFailures);
        }
        else
        {
            Assert.StartsWith(step, Assert.Single(facts.KeylessFailures), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task VerifyAsync_OnlyThePublicGoodRootTrusted_TheTestSigstoresSignatureDoesNotCount()
    {
        PublishLegacy();

        var facts = await VerifyAsync(Entry(Release()), [TrustedRoot.Production]);

        Assert.Empty(facts.SignedBy);
        Assert.Empty(facts.OtherKeylessSigners);
        Assert.Single(facts.KeylessFailures);
    }

    [Fact]
    public async Task VerifyAsync_EntryNamingItsTrustedRoot_VerifiesAgainstThatRootAloneAndFailsClosedOnAMissingOne()
    {
        PublishLegacy();
        var roots = TrustedRoots.Load(null).Append(Named("private.json")).ToList();

        var own = await VerifyAsync(Entry(Release()) with { TrustedRoots = ["private.json"] }, roots);
        var builtInOnly = await VerifyAsync(Entry(Release()) with { TrustedRoots = [TrustedRoot.BuiltInName] }, roots);
        var missing = await VerifyAsync(Entry(Release()) with { TrustedRoots = ["other.json"] }, roots);

        Assert.Equal([TestSigstore.DefaultSubject], own.SignedBy);
        Assert.Empty(builtInOnly.SignedBy);
        Assert.Single(builtInOnly.KeylessFailures);
        Assert.Equal("trusted root other.json is not mounted (imageVerification.trustedRootsConfigMap)", missing.Failure);
    }

    // A root as the mounted folder names it: by its file's name.
    private TrustedRoot Named(string name)
    {
        var folder = Directory.CreateTempSubdirectory("policywebhook-roots-").FullName;
        try
        {
            File.WriteAllBytes(Path.Combine(folder, name), _sigstore.TrustedRootJson);
            return Assert.Single(TrustedRoots.Load(folder, includeEmbedded: false), r => r.Name == name);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task VerifyAsync_SubjectPatternAndExtensions_MatchOnlyWhenEveryExtensionHolds()
    {
        PublishLegacy(new TestSigning { Extensions = new Dictionary<string, string> { [TestCertificateAuthority.SourceRepositoryRefOid] = "refs/heads/main" } });
        var pattern = new KeylessIdentity(TestSigstore.DefaultIssuer, null, @"https://github\.com/example/app/\.github/workflows/.+", new Dictionary<string, string> { ["sourceRepositoryRef"] = "refs/heads/main" });
        var otherRef = pattern with { Extensions = new Dictionary<string, string> { ["sourceRepositoryRef"] = "refs/heads/dev" } };

        var matched = await VerifyAsync(Entry(pattern));
        var refused = await VerifyAsync(Entry(otherRef));

        Assert.Equal([pattern.Name], matched.SignedBy);
        Assert.Empty(refused.SignedBy);
        Assert.Single(refused.OtherKeylessSigners);
    }

    [Fact]
    public async Task VerifyAsync_RequiredAnnotations_CountOnlyASignatureWhosePayloadCarriesThem()
    {
        PublishLegacy(new TestSigning { Annotations = new Dictionary<string, string> { ["repo"] = "example/app" } });

        var carried = await VerifyAsync(Entry(Release()) with { Annotations = new Dictionary<string, string> { ["repo"] = "example/app" } });
        var missing = await VerifyAsync(Entry(Release()) with { Annotations = new Dictionary<string, string> { ["workflow"] = "release" } });

        Assert.Equal([TestSigstore.DefaultSubject], carried.SignedBy);
        Assert.Empty(missing.SignedBy);
    }

    [Fact]
    public async Task VerifyAsync_KeylessMessageSignatureBundleReferrer_Counts()
    {
        TestArtifacts.PublishReferrer(_registry, App20, _sigstore.SignImageBundle(App20), Cosign.SignPredicate);

        var facts = await VerifyAsync(Entry(Release()));

        Assert.Equal([TestSigstore.DefaultSubject], facts.SignedBy);
    }

    [Fact]
    public async Task VerifyAsync_KeylessDsseBundleReferrer_Counts()
    {
        TestArtifacts.PublishReferrer(_registry, App20, _sigstore.SignImageDsseBundle(Repo, App20), Cosign.SignPredicate);

        var facts = await VerifyAsync(Entry(Release()));

        Assert.Equal([TestSigstore.DefaultSubject], facts.SignedBy);
    }

    [Fact]
    public async Task VerifyAsync_KeylessScanAttestationBundle_CountsForTheRequirementsIdentityOnly()
    {
        var finished = DateTimeOffset.UtcNow.AddHours(-2);
        var predicate = TestArtifacts.VulnPredicate(finished, ("CVE-2024-3094", "CRITICAL"));
        TestArtifacts.PublishReferrer(_registry, App20, _sigstore.SignImageDsseBundle(Repo, App20, AttestationFact.VulnerabilityPredicate, predicate), AttestationFact.VulnerabilityPredicate);
        var scanner = Release();
        var byRelease = new ImageVerificationEntry("scanned", ["**"], [], 0, new VulnerabilityRequirement([], VulnerabilitySeverity.High, null) { Keyless = [scanner] }, null, RegistryErrorAction.Deny);
        var byOther = byRelease with
        {
            Vulnerabilities = new VulnerabilityRequirement([], VulnerabilitySeverity.High, null) { Keyless = [scanner with { Subject = "https://github.com/example/scanner/.github/workflows/scan.yml@refs/heads/main" }] },
        };

        var trusted = await VerifyAsync(byRelease);
        var untrusted = await VerifyAsync(byOther);

        var fact = Assert.Single(trusted.Attestations);
        Assert.Equal((AttestationFact.VulnerabilityPredicate, TestSigstore.DefaultSubject), (fact.PredicateType, fact.KeyName));
        Assert.Equal(["CVE-2024-3094"], fact.Scan!.Vulnerabilities.Select(v => v.Id));
        Assert.Empty(untrusted.Attestations);
    }

    [Fact]
    public async Task VerifyAsync_KeylessBundleForAnotherDigest_DoesNotCount()
    {
        TestArtifacts.PublishReferrer(_registry, App20, _sigstore.SignImageBundle(App20, new TestSigning { SignedDigest = App10 }), Cosign.SignPredicate);

        var facts = await VerifyAsync(Entry(Release()));

        Assert.Empty(facts.SignedBy);
    }
}
