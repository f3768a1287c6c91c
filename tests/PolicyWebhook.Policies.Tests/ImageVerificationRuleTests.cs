using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using k8s.Models;
using PolicyWebhook.Engine;
using PolicyWebhook.Engine.Images;
using PolicyWebhook.Policies.Resources;

namespace PolicyWebhook.Policies.Tests;

/// <summary><c>spec.rules.imageVerification</c>: every mistake named at its field, and what a valid rule compiles to.</summary>
public sealed class ImageVerificationRuleTests
{
    private const string Head = "apiVersion: policywebhook.io/v1alpha1\nkind: ClusterPolicy\nmetadata:\n  name: test\nspec:\n  rules:\n    imageVerification:\n";

    private static readonly string P256 = Ec(ECCurve.NamedCurves.nistP256);

    private static CompiledPolicy Compile(string rule) => Assert.Single(PolicyLoader.LoadText(Head + rule, "test.yaml")).Compiled;

    private static IReadOnlyList<string> Problems(string rule) =>
        Assert.Throws<PolicyLoadException>(() => PolicyLoader.LoadText(Head + rule, "test.yaml")).Problems;

    // One entry whose only key is this PEM, at line 11.
    private static IReadOnlyList<string> KeyProblems(string pem) =>
        Problems("      entries:\n      - images: [registry.example.com/shop/*]\n        keys:\n        - publicKey: |\n" + Indent(pem, 12));

    [Fact]
    public void Load_NoEntries_AsksForOne()
    {
        Assert.Equal(
            ["test.yaml:7: spec.rules.imageVerification.entries: list at least one entry: the images it covers and the keys that must have signed them"],
            Problems("      {}\n"));
        Assert.Equal(
            ["test.yaml:8: spec.rules.imageVerification.entries: list at least one entry: the images it covers and the keys that must have signed them"],
            Problems("      entries: []\n"));
    }

    [Fact]
    public void Load_EntryMistakes_NameEachField() =>
        Assert.Equal(
            [
                "test.yaml:8: spec.rules.imageVerification.mode: \"Deny\" is not a mode (use Enforce, Warn or Audit)",
                "test.yaml:10: spec.rules.imageVerification.entries[0].images: list at least one image glob, such as registry.example.com/shop/*",
                "test.yaml:10: spec.rules.imageVerification.entries[0].keys: list at least one key or keyless identity whose signature counts, or the attestations to require",
                "test.yaml:11: spec.rules.imageVerification.entries[0].onError: \"Warn\" is not an action (use Deny or Allow)",
                "test.yaml:12: spec.rules.imageVerification.entries[1].images[1]: \"shop/*\" is a glob without a registry host; write it in full, such as docker.io/library/* or ghcr.io/acme/*",
                "test.yaml:15: spec.rules.imageVerification.entries[1].requiredSignatures: 2 is not between 1 and the number of keys and keyless identities, 1",
                "test.yaml:17: spec.rules.imageVerification.entries[2].requiredSignatures: 1 signatures are required but no keys are listed",
                "test.yaml:18: spec.rules.imageVerification.entries[2].attestations: requires nothing: set vulnerabilities, provenance or both",
            ],
            Problems(
                "      mode: Deny\n      entries:\n      - name: none\n        onError: Warn\n"
                + "      - images: [registry.example.com/shop/*, shop/*]\n        keys:\n        - secretRef: {name: image-keys, key: cosign.pub}\n        requiredSignatures: 2\n"
                + "      - images: [\"*\"]\n        requiredSignatures: 1\n        attestations: {}\n"));

    [Fact]
    public void Load_KeylessMistakes_NameTheIdentityAndItsField() =>
        Assert.Equal(
            [
                "test.yaml:19: spec.rules.imageVerification.entries[0].requiredSignatures: 7 is not between 1 and the number of keys and keyless identities, 6",
                "test.yaml:11: spec.rules.imageVerification.entries[0].keyless[0].issuer: required: the OIDC issuer, such as https://token.actions.githubusercontent.com",
                "test.yaml:12: spec.rules.imageVerification.entries[0].keyless[1].issuer: \"accounts.google.com\" is not an issuer URL (such as https://accounts.google.com)",
                "test.yaml:12: spec.rules.imageVerification.entries[0].keyless[1].subject: set subject (the exact identity) or subjectRegExp",
                "test.yaml:13: spec.rules.imageVerification.entries[0].keyless[2].subject: set only one of subject and subjectRegExp",
                "test.yaml:14: spec.rules.imageVerification.entries[0].keyless[3].subjectRegExp: \"(a)\\1\" uses backreferences, lookarounds or atomic groups, which a subject pattern may not (it must run in linear time)",
                "test.yaml:17: spec.rules.imageVerification.entries[0].keyless[4].extensions.repository: \"repository\" is not a Fulcio certificate extension (use " + string.Join(", ", FulcioExtensions.Names) + ")",
                "test.yaml:18: spec.rules.imageVerification.entries[0].keyless[5]: \"https://github.com/acme/x\" is the subject of keyless[4] too; an identity counts once",
            ],
            Problems(
                "      entries:\n      - images: [ghcr.io/acme/*]\n        keyless:\n        - subject: someone@example.com\n"
                + "        - issuer: accounts.google.com\n"
                + "        - {issuer: https://accounts.google.com, subject: a@example.com, subjectRegExp: '.+@example.com'}\n"
                + "        - {issuer: https://accounts.google.com, subjectRegExp: '(a)\\1'}\n"
                + "        - issuer: https://token.actions.githubusercontent.com\n          subject: https://github.com/acme/x\n          extensions: {repository: acme/x}\n"
                + "        - {issuer: https://token.actions.githubusercontent.com, subject: https://github.com/acme/x}\n"
                + "        requiredSignatures: 7\n"));

    [Fact]
    public void Load_TrustedRootThatCannotBeAMountedFile_IsRefused() =>
        Assert.Equal(
            ["test.yaml:11: spec.rules.imageVerification.entries[0].trustedRoots[0]: \"../root.json\" is not a trusted root (use built-in, or the name of a *.json key of the trusted roots ConfigMap)"],
            Problems("      entries:\n      - images: [ghcr.io/acme/*]\n        keyless: [{issuer: https://accounts.google.com, subject: a@example.com}]\n        trustedRoots: [../root.json]\n"));

    [Fact]
    public void Compile_KeylessEntry_CarriesIdentitiesExtensionsAndAnnotations()
    {
        var compiled = Compile(
            "      entries:\n      - name: release\n        images: [ghcr.io/acme/shop]\n        keyless:\n"
            + "        - issuer: https://token.actions.githubusercontent.com\n          subjectRegExp: 'https://github\\.com/acme/shop/\\.github/workflows/.+'\n"
            + "          extensions: {sourceRepositoryRef: refs/heads/main}\n        annotations: {team: shop}\n        trustedRoots: [built-in, private.json]\n");

        var entry = Assert.Single(compiled.ImageVerification!.Entries);
        var identity = Assert.Single(entry.Keyless);
        Assert.Equal("https://token.actions.githubusercontent.com", identity.Issuer);
        Assert.Null(identity.Subject);
        Assert.Equal(@"https://github\.com/acme/shop/\.github/workflows/.+", identity.SubjectRegExp);
        Assert.Equal("refs/heads/main", identity.Extensions["sourceRepositoryRef"]);
        Assert.Equal("shop", entry.Annotations["team"]);
        Assert.Equal(["built-in", "private.json"], entry.TrustedRoots);
        Assert.Equal(1, entry.RequiredSignatures);
        Assert.Empty(entry.Keys);
    }

    [Fact]
    public void Load_KeyMistakes_NameTheKeyAndItsField() =>
        Assert.Equal(
            [
                "test.yaml:11: spec.rules.imageVerification.entries[0].keys[0]: set one of publicKey, secretRef or configMapRef",
                "test.yaml:12: spec.rules.imageVerification.entries[0].keys[1]: set only one of publicKey, secretRef and configMapRef, not secretRef and configMapRef",
                "test.yaml:14: spec.rules.imageVerification.entries[0].keys[2].secretRef.name: \"Image_Keys\" is not a Secret name (lower-case letters, digits, '-' and '.')",
                "test.yaml:14: spec.rules.imageVerification.entries[0].keys[2].secretRef.key: \"cosign pub\" is not a data key (letters, digits, '-', '_' and '.')",
                "test.yaml:15: spec.rules.imageVerification.entries[0].keys[3].configMapRef.name: required: the ConfigMap's name, in the webhook's own namespace",
                "test.yaml:15: spec.rules.imageVerification.entries[0].keys[3].configMapRef.key: required: the key of the ConfigMap's data that holds the PEM, such as cosign.pub",
            ],
            Problems(
                "      entries:\n      - images: [registry.example.com/shop/*]\n        keys:\n        - name: nothing\n"
                + "        - secretRef: {name: a, key: b}\n          configMapRef: {name: a, key: b}\n"
                + "        - secretRef: {name: Image_Keys, key: cosign pub}\n        - configMapRef: {}\n"));

    public static TheoryData<string, string> BadKeys => new()
    {
        { "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE", "is not a PEM public key (-----BEGIN PUBLIC KEY-----, as cosign generate-key-pair writes cosign.pub)" },
        { Pem("PRIVATE KEY", ECDsa.Create(ECCurve.NamedCurves.nistP256).ExportPkcs8PrivateKey()), "is a private key: give the public key only (cosign.pub), and replace this key, as it is no longer secret" },
        { Certificate(), "is a certificate: give its public key (openssl x509 -pubkey -noout -in cert.pem)" },
        { Pem("PUBLIC KEY", [0x30, 0x03, 0x02, 0x01, 0x01]), "is not a PEM public key: its body is not a SubjectPublicKeyInfo" },
        { Pem("RSA PUBLIC KEY", RSA.Create(2048).ExportRSAPublicKey()), "is a PEM RSA PUBLIC KEY, not a PUBLIC KEY" },
        { RSA.Create(1024).ExportSubjectPublicKeyInfoPem(), "is an RSA key of 1024 bits; use 2048 or more" },
        { Ec(ECCurve.NamedCurves.nistP521), "is an ECDSA key on curve P-521; use P-256 or P-384" },
        { Spki("06032b6571", 57), "is a key of algorithm 1.3.101.113; use ECDSA P-256 or P-384, RSA of 2048 bits or more, or Ed25519" },
        { Spki("06032b6570", 31), "is not an Ed25519 key: its key is not 32 bytes" },
        { P256 + "\n" + Ec(ECCurve.NamedCurves.nistP256), "holds more than one PEM block: list each key as an entry of its own" },
    };

    [Theory]
    [MemberData(nameof(BadKeys))]
    public void Load_UnusablePublicKey_SaysWhyWithoutQuotingIt(string pem, string problem) =>
        Assert.Equal([$"test.yaml:11: spec.rules.imageVerification.entries[0].keys[0].publicKey: {problem}"], KeyProblems(pem));

    public static TheoryData<string> GoodKeys => new()
    {
        P256,
        Ec(ECCurve.NamedCurves.nistP384),
        RSA.Create(2048).ExportSubjectPublicKeyInfoPem(),
        Spki("06032b6570", 32),
        File.ReadAllText(Path.Combine(Root, "tests", "Shared", "provenance", "keys", "A", "cosign.pub")),
    };

    [Theory]
    [MemberData(nameof(GoodKeys))]
    public void Load_SupportedPublicKey_IsAccepted(string pem) =>
        Assert.Single(Assert.Single(PolicyLoader.LoadText(
            Head + "      entries:\n      - images: [registry.example.com/shop/*]\n        keys:\n        - publicKey: |\n" + Indent(pem, 12), "test.yaml")).Compiled.ImageVerification!.Entries);

    [Fact]
    public void Load_AttestationMistakes_NameEachField() =>
        Assert.Equal(
            [
                "test.yaml:12: spec.rules.imageVerification.entries[0].attestations.vulnerabilities.maximumSeverity: \"SEVERE\" is not a severity (use LOW, MEDIUM, HIGH or CRITICAL)",
                "test.yaml:13: spec.rules.imageVerification.entries[0].attestations.vulnerabilities.maximumAge: \"7 days\" is not a positive duration (such as 30m, 12h or 7d)",
                "test.yaml:16: spec.rules.imageVerification.entries[0].attestations.provenance.builderIds[0]: a builder id must not be empty",
                "test.yaml:11: spec.rules.imageVerification.entries[0].attestations.vulnerabilities.keys: list at least one key or keyless identity the attestation must be signed by",
                "test.yaml:15: spec.rules.imageVerification.entries[0].attestations.provenance.keys: list at least one key or keyless identity the attestation must be signed by",
                "test.yaml:20: spec.rules.imageVerification.entries[1].attestations.vulnerabilities.maximumAge: \"0d\" is not a positive duration (such as 30m, 12h or 7d)",
            ],
            Problems(
                "      entries:\n      - images: [registry.example.com/shop/*]\n        attestations:\n"
                + "          vulnerabilities:\n            maximumSeverity: SEVERE\n            maximumAge: 7 days\n"
                + "          provenance:\n            keys: []\n            builderIds: [\"\"]\n"
                + "      - images: [registry.example.com/base/*]\n        attestations:\n          vulnerabilities:\n"
                + "            maximumAge: 0d\n            keys: [{configMapRef: {name: scanner, key: cosign.pub}}]\n"));

    [Fact]
    public void Load_NamesGivenTwice_AreRefused() =>
        Assert.Equal(
            [
                "test.yaml:13: spec.rules.imageVerification.entries[0].keys[1].name: \"release\" is the name of keys[0] too; a key name stands for one key in an entry",
                "test.yaml:17: spec.rules.imageVerification.entries[0].attestations.vulnerabilities.keys[0]: \"secret image-keys/scanner.pub\" is the name of keys[2] too; a key name stands for one key in an entry",
                "test.yaml:18: spec.rules.imageVerification.entries[1].name: \"shop\" is the name of entries[0] too; entry names must be unique",
            ],
            Problems(
                "      entries:\n      - name: shop\n        images: [registry.example.com/shop/*]\n        keys:\n"
                + "        - {name: release, secretRef: {name: image-keys, key: release.pub}}\n"
                + "        - {name: release, secretRef: {name: image-keys, key: backup.pub}}\n"
                + "        - {name: secret image-keys/scanner.pub, configMapRef: {name: image-keys, key: scanner.pub}}\n"
                + "        attestations:\n          vulnerabilities:\n            keys: [{secretRef: {name: image-keys, key: scanner.pub}}]\n"
                + "      - name: shop\n        images: [registry.example.com/base/*]\n        keys: [{secretRef: {name: image-keys, key: release.pub}}]\n"));

    [Fact]
    public void Compile_Entry_NamesKeysByTheirSourceAndKeepsEveryRequirement()
    {
        var policy = Compile(
            "      mode: Warn\n      entries:\n      - images: [registry.example.com/shop/*]\n        keys:\n"
            + "        - secretRef: {name: image-keys, key: cosign.pub}\n        - configMapRef: {name: release-keys, key: backup.pub}\n"
            + "        - name: ci\n          publicKey: |\n" + Indent(P256, 12)
            + "        requiredSignatures: 2\n        onError: Allow\n        attestations:\n"
            + "          vulnerabilities:\n            keys: [{secretRef: {name: image-keys, key: cosign.pub}}, {publicKey: \"" + P256.ReplaceLineEndings("\\n") + "\"}]\n"
            + "            maximumSeverity: high\n            maximumAge: 12h\n"
            + "          provenance:\n            keys: [{name: ci, publicKey: \"" + P256.ReplaceLineEndings("\\n") + "\"}]\n            builderIds: [https://builder.example.com/ci@v1]\n"
            + "      - name: base\n        images: [registry.example.com/base/*]\n        keys: [{name: base, secretRef: {name: image-keys, key: base.pub}}]\n");

        var configured = Assert.Single(policy.Plan, c => c.Id == "imageVerification");
        Assert.Equal(PolicyMode.Warn, configured.Mode);
        Assert.Same(configured.Options, policy.ImageVerification);
        var entries = policy.ImageVerification!.Entries;
        Assert.Equal(["entries[0]", "base"], entries.Select(e => e.Name));

        var shop = entries[0];
        Assert.Equal(
            [new("secret image-keys/cosign.pub", SecretName: "image-keys", Key: "cosign.pub"), new("configmap release-keys/backup.pub", ConfigMapName: "release-keys", Key: "backup.pub"), new TrustedKeySource("ci", Pem: P256.Trim())],
            shop.Keys);
        Assert.Equal(2, shop.RequiredSignatures);
        Assert.Equal(RegistryErrorAction.Allow, shop.OnError);
        Assert.Equal(["secret image-keys/cosign.pub", "attestations.vulnerabilities.keys[1]"], shop.Vulnerabilities!.Keys.Select(k => k.Name));
        Assert.Equal(VulnerabilitySeverity.High, shop.Vulnerabilities.MaximumSeverity);
        Assert.Equal(TimeSpan.FromHours(12), shop.Vulnerabilities.MaximumAge);
        Assert.Equal(["ci"], shop.Provenance!.Keys.Select(k => k.Name));
        Assert.Equal(["https://builder.example.com/ci@v1"], shop.Provenance.BuilderIds);
        Assert.True(shop.Covers("registry.example.com/shop/api:1.0"));
        Assert.False(shop.Covers("registry.example.com/base/api:1.0"));

        Assert.Equal((1, RegistryErrorAction.Deny, null, null), (entries[1].RequiredSignatures, entries[1].OnError, entries[1].Vulnerabilities, entries[1].Provenance));
    }

    [Fact]
    public void Compile_AttestationsOnly_RequiresNoSignature()
    {
        var entry = Assert.Single(Compile(
            "      entries:\n      - images: [\"*\"]\n        attestations:\n          vulnerabilities:\n            keys: [{secretRef: {name: scanner, key: cosign.pub}}]\n").ImageVerification!.Entries);

        Assert.Empty(entry.Keys);
        Assert.Equal(0, entry.RequiredSignatures);
        Assert.Equal((null, null), (entry.Vulnerabilities!.MaximumSeverity, entry.Vulnerabilities.MaximumAge));
    }

    [Fact]
    public void CacheKey_FromTheCluster_IsUidGenerationAndEntry()
    {
        var policy = Policy(uid: "6f1c2a9e-0d4b-4c55-9a0e-3b1d2c4e5f60", generation: 3);

        Assert.Equal(["6f1c2a9e-0d4b-4c55-9a0e-3b1d2c4e5f60/3/0", "6f1c2a9e-0d4b-4c55-9a0e-3b1d2c4e5f60/3/1"], CacheKeys(policy));
        policy.Metadata.Generation = 4;
        Assert.Equal(["6f1c2a9e-0d4b-4c55-9a0e-3b1d2c4e5f60/4/0", "6f1c2a9e-0d4b-4c55-9a0e-3b1d2c4e5f60/4/1"], CacheKeys(policy));
    }

    [Fact]
    public void CacheKey_FromAFile_ChangesWithTheEntryItself()
    {
        var policy = Policy(uid: null, generation: null);
        var before = CacheKeys(policy);
        policy.Spec.Rules!.ImageVerification!.Entries![1].RequiredSignatures = 1;
        var after = CacheKeys(policy);

        Assert.Matches("^Policy/shop/verify/sha256:[0-9a-f]{16}/0$", before[0]);
        Assert.Matches("^Policy/shop/verify/sha256:[0-9a-f]{16}/1$", before[1]);
        Assert.Equal(before[0], after[0]);
        Assert.NotEqual(before[1], after[1]);
        Assert.Equal(before, CacheKeys(Policy(uid: null, generation: null)));
    }

    [Fact]
    public void DeployExample_VerifyImages_IsASecretKeySignatureAndAWeekOldScanAtMostHigh()
    {
        var policy = Assert.Single(PolicyLoader.LoadPaths([Path.Combine(Root, "deploy", "policies", "verify-images.yaml")])).Compiled;

        var entry = Assert.Single(policy.ImageVerification!.Entries);
        Assert.Equal("shop", entry.Name);
        Assert.Equal([new TrustedKeySource("release", SecretName: "image-verification-keys", Key: "release.pub")], entry.Keys);
        Assert.Equal(1, entry.RequiredSignatures);
        Assert.Equal([new TrustedKeySource("scanner", SecretName: "image-verification-keys", Key: "scanner.pub")], entry.Vulnerabilities!.Keys);
        Assert.Equal((VulnerabilitySeverity.High, TimeSpan.FromDays(7)), (entry.Vulnerabilities.MaximumSeverity, entry.Vulnerabilities.MaximumAge));
        Assert.Equal(RegistryErrorAction.Deny, entry.OnError);
        Assert.Matches("^ClusterPolicy/verify-images/sha256:[0-9a-f]{16}/0$", entry.CacheKey);
    }

    [Fact]
    public void Guide_EveryExample_LoadsAsOneValidPolicy()
    {
        var blocks = System.Text.RegularExpressions.Regex.Matches(
            File.ReadAllText(Path.Combine(Root, "docs", "image-verification.md")),
            @"^```yaml\n(.*?)^```",
            System.Text.RegularExpressions.RegexOptions.Multiline | System.Text.RegularExpressions.RegexOptions.Singleline);

        Assert.NotEmpty(blocks);
        Assert.All(blocks, b => Assert.NotNull(Assert.Single(PolicyLoader.LoadText(b.Groups[1].Value, "docs/image-verification.md")).Compiled.ImageVerification));
    }

    private static readonly string Root = FindRoot();

    private static List<string> CacheKeys(PolicyResource policy) => [.. PolicyCompiler.Compile(policy).ImageVerification!.Entries.Select(e => e.CacheKey)];

    private static Resources.Policy Policy(string? uid, long? generation) => new()
    {
        Metadata = new V1ObjectMeta { Name = "verify", NamespaceProperty = "shop", Uid = uid, Generation = generation },
        Spec = new PolicySpec
        {
            Rules = new RulesSpec
            {
                ImageVerification = new ImageVerificationRule
                {
                    Entries =
                    [
                        new() { Images = ["registry.example.com/shop/*"], Keys = [new() { SecretRef = new() { Name = "image-keys", Key = "cosign.pub" } }] },
                        new() { Images = ["registry.example.com/base/*"], Keys = [new() { SecretRef = new() { Name = "image-keys", Key = "base.pub" } }] },
                    ],
                },
            },
        },
    };

    private static string Ec(ECCurve curve) => ECDsa.Create(curve).ExportSubjectPublicKeyInfoPem();

    private static string Pem(string label, byte[] der) => PemEncoding.WriteString(label, der);

    // A SubjectPublicKeyInfo by hand: an algorithm identifier (its OID's DER, no parameters) and a key of that many bytes.
    private static string Spki(string algorithmOid, int keyBytes)
    {
        var algorithm = Convert.FromHexString(algorithmOid);
        byte[] bitString = [0x03, (byte)(keyBytes + 1), 0x00, .. new byte[keyBytes]];
        byte[] identifier = [0x30, (byte)algorithm.Length, .. algorithm];
        return Pem("PUBLIC KEY", [0x30, (byte)(identifier.Length + bitString.Length), .. identifier, .. bitString]);
    }

    private static string Certificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = new CertificateRequest("CN=signer", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
        return certificate.ExportCertificatePem();
    }

    private static string Indent(string text, int spaces) =>
        string.Concat(text.Trim().Split('\n').Select(line => new string(' ', spaces) + line.TrimEnd('\r') + "\n"));

    private static string FindRoot()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "PolicyWebhook.sln")))
        {
            root = root.Parent!;
        }

        return root.FullName;
    }
}
