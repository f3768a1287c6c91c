using PolicyWebhook.Engine.Images;

namespace PolicyWebhook.Engine.Tests.Checks;

/// <summary>
/// Check imageVerification judges facts gathered before evaluation: each fixture is one pod, and <see cref="Facts"/>
/// holds what the registry round found for its image, as PolicyWebhook.Provenance would hand it over.
/// </summary>
public sealed class ImageVerificationCheckTests : CheckTestBase
{
    private const string Signed = "sha256:0421e0e84e25b5f1f3d4b8a2c06e3f4f2f1b3c5d7e9a1b3c5d7e9f1a3b5c7d9e";
    private const string Unsigned = "sha256:3e633cb6468a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c";
    private const string Builder = "https://builder.example.com/ci@v1";
    private const string GitHub = "https://token.actions.githubusercontent.com";
    private const string Release = "https://github.com/acme/shop/.github/workflows/release.yml@refs/heads/main";

    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    private static readonly ImageVerificationOptions Entries = new(
    [
        new("shop", ["registry.example.com/shop/*"], [Key("release"), Key("backup")], 1, null, null, RegistryErrorAction.Deny),
        new("payments", ["registry.example.com/payments/*"], [Key("alice"), Key("bob"), Key("carol")], 2, null, null, RegistryErrorAction.Deny),
        new("scanned", ["registry.example.com/scanned/*"], [], 0, new VulnerabilityRequirement([Key("scanner")], VulnerabilitySeverity.Medium, TimeSpan.FromDays(7)), null, RegistryErrorAction.Deny),
        new("built", ["registry.example.com/built/*"], [], 0, null, new ProvenanceRequirement([Key("builder")], [Builder]), RegistryErrorAction.Deny),
        new("tolerant", ["registry.example.com/tolerant/*"], [Key("release")], 1, null, null, RegistryErrorAction.Allow),
        new("release", ["ghcr.io/acme/shop"], [], 1, null, null, RegistryErrorAction.Deny) { Keyless = [new KeylessIdentity(GitHub, Release, null, new Dictionary<string, string>())] },
        new("keyless-scanned", ["ghcr.io/acme/scanned"], [], 0, new VulnerabilityRequirement([], VulnerabilitySeverity.High, null) { Keyless = [new KeylessIdentity(GitHub, Release, null, new Dictionary<string, string>())] }, null, RegistryErrorAction.Deny),
        new("tools", ["ghcr.io/acme/tools"], [Key("release")], 2, null, null, RegistryErrorAction.Deny)
        {
            Keyless = [new KeylessIdentity(GitHub, null, "https://github.com/acme/.+", new Dictionary<string, string>())],
        },
    ]);

    // What the registry round found for each fixture's image; a fixture not listed had nothing gathered.
    private static readonly Dictionary<string, ImageFacts> Facts = new(StringComparer.Ordinal)
    {
        ["signed.yaml"] = Image("registry.example.com/shop/api:1.0") with { SignedBy = ["release"] },
        ["pinned.yaml"] = Image("registry.example.com/shop/api@" + Signed) with { SignedBy = ["backup"] },
        ["two-signatures.yaml"] = Image("registry.example.com/payments/ledger:3.2") with { SignedBy = ["alice", "carol"] },
        ["scanned.yaml"] = Image("registry.example.com/scanned/web:2.0") with
        {
            Attestations = [Scan("scanner", Now.AddDays(-2), ("CVE-2011-3374", VulnerabilitySeverity.Low), ("CVE-2022-0563", VulnerabilitySeverity.Medium))],
        },
        ["built.yaml"] = Image("registry.example.com/built/worker:1.4") with { Attestations = [Provenance("builder", Builder)] },
        ["offline.yaml"] = Image("registry.example.com/shop/api:2.0", Unsigned),
        ["unsigned.yaml"] = Image("registry.example.com/shop/api:2.0", Unsigned),
        ["pinned-unsigned.yaml"] = Image("registry.example.com/shop/api@" + Unsigned, Unsigned),
        ["other-digest.yaml"] = Image("registry.example.com/shop/api:1.1", Unsigned) with { SignaturesForOtherDigests = [("release", Signed)] },
        ["one-of-two.yaml"] = Image("registry.example.com/payments/ledger:3.3") with { SignedBy = ["alice", "alice", "mallory"] },
        ["no-scan.yaml"] = Image("registry.example.com/scanned/web:2.1") with
        {
            // Signed by a key the requirement does not trust: no scan counts.
            Attestations = [Scan("someone", Now.AddHours(-1))],
        },
        ["stale-scan.yaml"] = Image("registry.example.com/scanned/web:1.9") with { Attestations = [Scan("scanner", Now.AddDays(-12).AddHours(-3))] },
        ["above-maximum.yaml"] = Image("registry.example.com/scanned/web:2.2") with
        {
            Attestations =
            [
                Scan(
                    "scanner",
                    Now.AddDays(-1),
                    ("CVE-2011-3374", VulnerabilitySeverity.Low),
                    ("CVE-2023-4863", VulnerabilitySeverity.High),
                    ("CVE-2024-3094", VulnerabilitySeverity.Critical),
                    ("CVE-2023-44487", VulnerabilitySeverity.High),
                    ("CVE-2022-0563", VulnerabilitySeverity.Medium),
                    ("CVE-2023-38545", VulnerabilitySeverity.Critical),
                    ("CVE-2023-5363", VulnerabilitySeverity.High)),
            ],
        },
        ["no-provenance.yaml"] = Image("registry.example.com/built/worker:1.5") with { Attestations = [Scan("builder", Now)] },
        ["wrong-builder.yaml"] = Image("registry.example.com/built/worker:1.6") with { Attestations = [Provenance("builder", "https://ci.example.net/rogue")] },
        ["registry-down.yaml"] = new("registry.example.com/shop/api:3.0") { Unavailable = "registry registry.example.com did not answer within 2 s" },
        ["keyless-signed.yaml"] = Image("ghcr.io/acme/shop:1.4") with { SignedBy = [Release] },
        ["keyless-scanned.yaml"] = Image("ghcr.io/acme/scanned:1.0") with { Attestations = [Scan(Release, Now.AddHours(-1), ("CVE-2022-0563", VulnerabilitySeverity.Medium))] },
        ["keyless-no-scan.yaml"] = Image("ghcr.io/acme/scanned:1.1") with { Attestations = [Scan("https://github.com/acme/other/.github/workflows/scan.yml@refs/heads/main", Now.AddHours(-1))] },
        ["keyless-and-key.yaml"] = Image("ghcr.io/acme/tools:2.0") with { SignedBy = ["release", "https://github.com/acme/.+"] },
        ["keyless-does-not-verify.yaml"] = Image("ghcr.io/acme/shop:1.6") with
        {
            KeylessFailures = ["certificate chain: the signing certificate does not chain to a trusted Fulcio CA at 2026-11-27 11:00:00Z"],
        },
        ["keyless-other-identity.yaml"] = Image("ghcr.io/acme/shop:1.5") with
        {
            OtherKeylessSigners = [("https://github.com/acme/shop/.github/workflows/ci.yml@refs/heads/dev", GitHub)],
        },
        ["registry-down-allowed.yaml"] = new("registry.example.com/tolerant/batch:1.0") { Unavailable = "registry.example.com answered 503" },
    };

    protected override string CheckId => "imageVerification";

    protected override object? Options => Entries;

    protected override EvaluationContext ContextFor(string fixture)
    {
        var name = Path.GetFileName(fixture);
        return name == "offline.yaml"
            ? EvaluationContext.Offline with { Now = Now }
            : new EvaluationContext { Now = Now, ImageFacts = new FixedFacts(Facts.GetValueOrDefault(name)) };
    }

    [Fact]
    public void Evaluate_NoSignatureByAnyKey_CountsTheKeys() =>
        AssertViolations(
            "fail/unsigned.yaml",
            ("spec.containers[0].image", "container \"app\" image \"registry.example.com/shop/api:2.0\" (sha256:3e633cb6468a) has no signature by any of the 2 trusted keys (entry \"shop\")"));

    [Fact]
    public void Evaluate_ImageNamingItsDigest_DoesNotRepeatIt() =>
        AssertViolations(
            "fail/pinned-unsigned.yaml",
            ("spec.containers[0].image", "container \"app\" image \"registry.example.com/shop/api@" + Unsigned + "\" has no signature by any of the 2 trusted keys (entry \"shop\")"));

    [Fact]
    public void Evaluate_SignatureForAnotherDigest_NamesKeyAndDigest() =>
        AssertViolations(
            "fail/other-digest.yaml",
            ("spec.containers[0].image", "container \"app\" image \"registry.example.com/shop/api:1.1\" (sha256:3e633cb6468a) is signed by key \"release\" only for another digest, sha256:0421e0e84e25 (entry \"shop\")"));

    [Fact]
    public void Evaluate_TooFewDistinctSignatures_NamesTheSigners() =>
        AssertViolations(
            "fail/one-of-two.yaml",
            ("spec.containers[0].image", "container \"app\" image \"registry.example.com/payments/ledger:3.3\" (sha256:0421e0e84e25) is signed by 1 of the 2 distinct keys required, \"alice\" (entry \"payments\")"));

    [Fact]
    public void Evaluate_NoScanByATrustedKey_NamesTheKey() =>
        AssertViolations(
            "fail/no-scan.yaml",
            ("spec.containers[0].image", "container \"app\" image \"registry.example.com/scanned/web:2.1\" (sha256:0421e0e84e25) has no vulnerability scan attestation signed by key \"scanner\" (entry \"scanned\")"));

    [Fact]
    public void Evaluate_StaleScan_SaysHowOldAgainstTheLimit() =>
        AssertViolations(
            "fail/stale-scan.yaml",
            ("spec.containers[0].image", "container \"app\" image \"registry.example.com/scanned/web:1.9\" (sha256:0421e0e84e25) has a vulnerability scan 12 days old; the oldest allowed is 7 days (entry \"scanned\")"));

    [Fact]
    public void Evaluate_FindingsAboveMaximum_ListsTheWorstThreeAndCountsTheRest() =>
        AssertViolations(
            "fail/above-maximum.yaml",
            ("spec.containers[0].image", "container \"app\" image \"registry.example.com/scanned/web:2.2\" (sha256:0421e0e84e25) has CVE-2023-38545 CRITICAL, CVE-2024-3094 CRITICAL, CVE-2023-44487 HIGH and 2 more above the allowed MEDIUM (entry \"scanned\")"));

    [Fact]
    public void Evaluate_NoProvenance_NamesTheKey() =>
        AssertViolations(
            "fail/no-provenance.yaml",
            ("spec.containers[0].image", "container \"app\" image \"registry.example.com/built/worker:1.5\" (sha256:0421e0e84e25) has no SLSA provenance attestation signed by key \"builder\" (entry \"built\")"));

    [Fact]
    public void Evaluate_WrongBuilder_NamesTheBuilder() =>
        AssertViolations(
            "fail/wrong-builder.yaml",
            ("spec.containers[0].image", "container \"app\" image \"registry.example.com/built/worker:1.6\" (sha256:0421e0e84e25) was built by \"https://ci.example.net/rogue\", not an allowed builder (entry \"built\")"));

    [Fact]
    public void Evaluate_RegistryDownWithOnErrorDeny_Denies()
    {
        AssertViolations(
            "fail/registry-down.yaml",
            ("spec.containers[0].image", "container \"app\" image \"registry.example.com/shop/api:3.0\" could not be verified: registry registry.example.com did not answer within 2 s (entry \"shop\")"));
        Assert.Equal(PolicyMode.Enforce, Assert.Single(Violations("fail/registry-down.yaml")).Mode);
    }

    [Fact]
    public void Evaluate_RegistryDownWithOnErrorAllow_WarnsWithoutDenying()
    {
        AssertViolations(
            "fail/registry-down-allowed.yaml",
            ("spec.containers[0].image", "registry.example.com answered 503: container \"app\" image \"registry.example.com/tolerant/batch:1.0\" is allowed unverified (entry \"tolerant\")"));
        var path = Path.Combine(FixtureFolder, "fail", "registry-down-allowed.yaml");
        var result = new PolicyEvaluator([TestPolicies.OnlyCheck(CheckId, Options)]).Evaluate(TestPolicies.ReadObject(path), ContextFor(path))!;
        Assert.True(result.Allowed);
        Assert.Equal(PolicyMode.Warn, Assert.Single(result.Violations).Mode);
    }

    [Fact]
    public void Evaluate_CoveredImageWithNothingGathered_IsNotVerified() =>
        AssertViolations(
            "fail/not-gathered.yaml",
            ("spec.containers[0].image", "container \"app\" image \"registry.example.com/shop/api:4.0\" was not verified (entry \"shop\")"));

    [Fact]
    public void Evaluate_ImageNoEntryCovers_IsNotJudged() => Assert.Empty(Violations("pass/uncovered.yaml"));

    [Fact]
    public void Evaluate_Offline_JudgesNothing()
    {
        // The same image fails with facts; offline no registry was asked, so there is nothing to judge.
        Assert.Empty(Violations("pass/offline.yaml"));
        Assert.Single(Violations("fail/unsigned.yaml"));
    }

    private static TrustedKeySource Key(string name) => new(name, SecretName: "image-keys", Key: name + ".pub");

    [Fact]
    public void Evaluate_KeylessSignatureByAnotherIdentity_NamesWhoSignedIt() =>
        AssertViolations(
            "fail/keyless-other-identity.yaml",
            ("spec.containers[0].image", "container \"app\" image \"ghcr.io/acme/shop:1.5\" (sha256:0421e0e84e25) is signed by https://github.com/acme/shop/.github/workflows/ci.yml@refs/heads/dev (issuer https://token.actions.githubusercontent.com), not by any trusted identity (entry \"release\")"));

    [Fact]
    public void Evaluate_NoScanByTheKeylessIdentity_NamesTheIdentityAndIssuer() =>
        AssertViolations(
            "fail/keyless-no-scan.yaml",
            ("spec.containers[0].image", "container \"app\" image \"ghcr.io/acme/scanned:1.1\" (sha256:0421e0e84e25) has no vulnerability scan attestation signed by identity \"https://github.com/acme/shop/.github/workflows/release.yml@refs/heads/main\" (issuer https://token.actions.githubusercontent.com) (entry \"keyless-scanned\")"));

    [Fact]
    public void Evaluate_KeylessSignatureThatDoesNotVerify_NamesTheStepThatFailed() =>
        AssertViolations(
            "fail/keyless-does-not-verify.yaml",
            ("spec.containers[0].image", "container \"app\" image \"ghcr.io/acme/shop:1.6\" (sha256:0421e0e84e25) has a keyless signature that does not verify (certificate chain: the signing certificate does not chain to a trusted Fulcio CA at 2026-11-27 11:00:00Z) (entry \"release\")"));

    private static ImageFacts Image(string image, string digest = Signed) => new(image) { Digest = digest };

    private static AttestationFact Scan(string key, DateTimeOffset finished, params (string Id, VulnerabilitySeverity Severity)[] findings) =>
        new(AttestationFact.VulnerabilityPredicate, key) { Scan = new VulnerabilityScan(finished, [.. findings.Select(f => new Vulnerability(f.Id, f.Severity))]) };

    private static AttestationFact Provenance(string key, string builder) =>
        new(AttestationFact.ProvenancePredicates[1], key) { BuilderId = builder };

    /// <summary>The facts of one fixture, whatever entry asks: each fixture's image is covered by one entry only.</summary>
    private sealed class FixedFacts(ImageFacts? facts) : IImageFactsLookup
    {
        public ImageFacts? Find(ImageVerificationEntry entry, string image) => facts;
    }

    [Fact]
    public void Problems_ScanDatedInTheFuture_IsRefusedNotFreshForEver()
    {
        var now = DateTimeOffset.Parse("2026-11-27T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var scanner = new TrustedKeySource("scanner", Pem: "unused");
        var entry = new ImageVerificationEntry("scanned", ["registry.example.com/*"], [], 1, new VulnerabilityRequirement([scanner], VulnerabilitySeverity.High, TimeSpan.FromDays(7)), null, RegistryErrorAction.Deny);
        var facts = new ImageFacts("registry.example.com/web:1.0")
        {
            Digest = "sha256:" + new string('a', 64),
            Attestations = [new AttestationFact(AttestationFact.VulnerabilityPredicate, "scanner") { Scan = new VulnerabilityScan(now.AddDays(30), []) }],
        };

        var problem = Assert.Single(PolicyWebhook.Engine.Checks.ImageVerificationCheck.Problems(entry, facts, now));

        Assert.Equal("has a vulnerability scan dated in the future, 2026-12-27T12:00:00Z", problem.Text);
        Assert.False(PolicyWebhook.Engine.Checks.ImageVerificationCheck.Passes(entry, facts, now));
    }

    [Fact]
    public void Problems_FailureWithOnErrorAllow_StillDenies()
    {
        var entry = new ImageVerificationEntry("tolerant", ["registry.example.com/*"], [new TrustedKeySource("release", Pem: "unused")], 1, null, null, RegistryErrorAction.Allow);
        var facts = new ImageFacts("registry.example.com/web:next") { Failure = "image web:next does not exist in registry registry.example.com" };

        var problem = Assert.Single(PolicyWebhook.Engine.Checks.ImageVerificationCheck.Problems(entry, facts, DateTimeOffset.UtcNow));

        Assert.False(problem.WarningOnly);
        Assert.Equal("could not be verified: image web:next does not exist in registry registry.example.com", problem.Text);
    }
}
