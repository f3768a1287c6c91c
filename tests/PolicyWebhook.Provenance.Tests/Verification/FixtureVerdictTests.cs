using k8s.Models;
using PolicyWebhook.Engine.Checks;
using PolicyWebhook.Engine.Evaluation;
using PolicyWebhook.Engine.Images;

namespace PolicyWebhook.Provenance.Tests.Verification;

/// <summary>Every verdict of tests/Shared/provenance/index.tsv that cosign gave, given again by the verifier over the same storage.</summary>
public sealed class FixtureVerdictTests
{
    private static readonly Dictionary<string, string> SignatureColumns = new(StringComparer.Ordinal)
    {
        ["signed_by_A"] = "A",
        ["signed_by_B"] = "B",
        ["signed_by_ec_p256"] = "ec-p256",
        ["notation_fixtures_cert"] = "notation",
    };

    public static TheoryData<string, string, string, string, bool> SignatureVerdicts()
    {
        var data = new TheoryData<string, string, string, string, bool>();
        foreach (var row in ProvenanceFixtures.Index())
        {
            foreach (var (column, key) in SignatureColumns)
            {
                data.Add(row["image"], row["tag"], row["digest"], key, row[column] == "pass");
            }
        }

        return data;
    }

    public static TheoryData<string, string, string, bool> ScanVerdicts()
    {
        var data = new TheoryData<string, string, string, bool>();
        foreach (var row in ProvenanceFixtures.Index())
        {
            data.Add(row["image"], row["tag"], row["digest"], row["attested_by_S_no_critical"] == "pass");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SignatureVerdicts))]
    public async Task VerifyAsync_FixtureImage_SignedByKeyAsCosignSaid(string repository, string tag, string digest, string key, bool pass)
    {
        var facts = await VerifyAsync(repository, tag, digest, ProvenanceFixtures.SignatureEntry(ProvenanceFixtures.Key(key)));

        Assert.Equal(digest, facts.Digest);
        Assert.Equal(pass ? [key] : [], facts.SignedBy);
        Assert.Empty(facts.SignaturesForOtherDigests);
        Assert.Empty(facts.Attestations);
    }

    [Theory]
    [MemberData(nameof(ScanVerdicts))]
    public async Task VerifyAsync_FixtureImage_ScanAttestedBySWithoutCriticalAsCosignSaid(string repository, string tag, string digest, bool clean)
    {
        var entry = ProvenanceFixtures.ScanEntry(ProvenanceFixtures.Key("S"));
        var facts = await VerifyAsync(repository, tag, digest, entry);

        var scans = facts.Attestations.Where(a => a.KeyName == "S" && a.PredicateType == AttestationFact.VulnerabilityPredicate).ToList();
        Assert.Equal(clean, scans.Count > 0 && scans.All(s => s.Scan!.Vulnerabilities.All(v => v.Severity < VulnerabilitySeverity.Critical)));
        Assert.Equal(clean, Judge(entry, facts, repository, digest) == 0);
    }

    [Fact]
    public async Task VerifyAsync_CriticalScan_ReadsFindingsAndFinishTime()
    {
        var facts = await VerifyAsync("shop/app", "1.3", "sha256:a7280b1fa879b6c8b52f0fa760c15bf41591929ccf46b01e0d0336fd3b297160", ProvenanceFixtures.ScanEntry(ProvenanceFixtures.Key("S")));

        var scan = Assert.Single(facts.Attestations).Scan!;
        Assert.Equal([new Vulnerability("CVE-2011-3374", VulnerabilitySeverity.Low), new Vulnerability("CVE-2024-3094", VulnerabilitySeverity.Critical)], scan.Vulnerabilities);
        Assert.Equal(DateTimeOffset.Parse("2026-11-27T10:05:40Z", null), scan.FinishedOn);
    }

    [Fact]
    public async Task VerifyAsync_BundleSignatureOnly_HasNoAttestation()
    {
        var facts = await VerifyAsync("shop/app", "1.1", "sha256:19db00ee5a640a9a19bd2ff662e2ddc07f7f65c5b32317d4dfc1bc3687870905", ProvenanceFixtures.ScanEntry(ProvenanceFixtures.Key("S")));

        Assert.Empty(facts.Attestations);
    }

    [Fact]
    public async Task VerifyAsync_MultiPlatformIndex_VerifiesTheIndexDigestNotItsChildren()
    {
        var registry = new FileSystemRegistry();
        var verifier = new ImageVerifier(registry, new InlineKeyMaterial(), ProvenanceFixtures.Clock);
        var entry = ProvenanceFixtures.SignatureEntry(ProvenanceFixtures.Key("A"));
        var reference = ImageReference.Parse($"{ProvenanceFixtures.Host}/base/multi:1.0");

        var digest = await verifier.ResolveDigestAsync(reference, TestContext.Current.CancellationToken);
        var facts = await verifier.VerifyAsync(reference, digest, entry, TestContext.Current.CancellationToken);

        Assert.Equal("sha256:fa96d3a01d0bb1521c841cfbf9fa7664f535c250839612614cd407905461597d", digest);
        Assert.Equal(["A"], facts.SignedBy);
        Assert.DoesNotContain(registry.Calls, c => c.Contains("e4c377dc", StringComparison.Ordinal) || c.Contains("a5f18753", StringComparison.Ordinal));
    }

    // A row with a tag is resolved through it (and must give the row's digest); a child of the index by its digest alone.
    private static async Task<ImageFacts> VerifyAsync(string repository, string tag, string digest, ImageVerificationEntry entry)
    {
        var verifier = new ImageVerifier(new FileSystemRegistry(), new InlineKeyMaterial(), ProvenanceFixtures.Clock);
        var reference = ImageReference.Parse(tag == "-" ? $"{ProvenanceFixtures.Host}/{repository}@{digest}" : $"{ProvenanceFixtures.Host}/{repository}:{tag}");
        var resolved = await verifier.ResolveDigestAsync(reference, TestContext.Current.CancellationToken);
        Assert.Equal(digest, resolved);
        return await verifier.VerifyAsync(reference, resolved, entry, TestContext.Current.CancellationToken);
    }

    // The engine's own judgement of the facts: the number of violations check imageVerification reports.
    private static int Judge(ImageVerificationEntry entry, ImageFacts facts, string repository, string digest)
    {
        var image = $"{ProvenanceFixtures.Host}/{repository}@{digest}";
        var pod = new PodView(new V1PodSpec { Containers = [new V1Container { Name = "app", Image = image }] }, null, "spec", "metadata")
        {
            ImageFacts = new SingleFacts(facts),
            Now = ProvenanceFixtures.Clock.GetUtcNow(),
        };
        var findings = new Findings();
        new ImageVerificationCheck().Evaluate(pod, new ImageVerificationOptions([entry]), findings);
        return findings.Count;
    }

    private sealed class SingleFacts(ImageFacts facts) : IImageFactsLookup
    {
        public ImageFacts? Find(ImageVerificationEntry entry, string image) => facts;
    }
}
