using System.Text.Json.Nodes;
using PolicyWebhook.Tests.Shared;

namespace PolicyWebhook.Host.Tests.Images;

/// <summary>
/// Every verdict of the shared cosign/notation fixtures (tests/Shared/provenance/index.tsv) holds through /validate,
/// and /mutate pins each image a policy verified to its digest, against Debian's docker-registry serving the real
/// signatures on a free loopback port. Each verdict column is a policy of its own, matching a namespace of its own.
/// </summary>
public sealed class ProvenanceAdmissionTests(RegistryServer registry) : IClassFixture<RegistryServer>, IDisposable
{
    // Column of index.tsv, the namespace its policy matches, and the rule entry that asks what the column asks.
    private static readonly (string Column, string Namespace, string Entry)[] Columns =
    [
        ("signed_by_A", "column-a", "keys: [{secretRef: {name: cosign-keys, key: A.pub}}]"),
        ("signed_by_B", "column-b", "keys: [{secretRef: {name: cosign-keys, key: B.pub}}]"),
        ("signed_by_ec_p256", "column-ec", "keys: [{secretRef: {name: cosign-keys, key: ec-p256.pem}}]"),
        ("notation_fixtures_cert", "column-notation", "keys: [{configMapRef: {name: notation-certs, key: fixtures.crt}}]"),
        ("attested_by_S_no_critical", "column-s", "attestations: {vulnerabilities: {keys: [{secretRef: {name: cosign-keys, key: S.pub}}], maximumSeverity: HIGH}}"),
    ];

    private static readonly string[][] Rows = [.. File.ReadAllLines(Path.Combine(RegistryServer.FixtureFolder, "index.tsv")).Skip(1)
        .Where(l => l.Length > 0).Select(l => l.Split('\t'))];

    private static readonly string[] Header = File.ReadLines(Path.Combine(RegistryServer.FixtureFolder, "index.tsv")).First().Split('\t');

    private readonly string _keys = MountedKeys();
    private string? _policies;

    public static TheoryData<string, string> Cells() =>
        new(Columns.SelectMany(c => Rows.Select(r => (c.Column, Reference(r)))));

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task Validate_EveryFixtureVerdict_HoldsThroughTheWebhook(string column, string image)
    {
        using var factory = Factory();
        var ns = Columns.Single(c => c.Column == column).Namespace;

        var answer = await WebhookFactory.ReviewAsync(factory.CreateClient(), "/validate", Review($"{registry.Host}/{image}", ns));

        var expected = Expected(column, image);
        var message = answer["status"]?["message"]?.GetValue<string>() ?? string.Empty;
        Assert.True(expected == answer["allowed"]!.GetValue<bool>(), $"{column} {image}: expected {(expected ? "allowed" : "denied")}; the webhook said {message} {answer}");
        Assert.True(expected || message.Contains("imageVerification", StringComparison.Ordinal), message);
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task Mutate_VerifiedTaggedImage_IsPinnedToItsDigestAndNothingElseIs(string column, string image)
    {
        using var factory = Factory();
        var ns = Columns.Single(c => c.Column == column).Namespace;
        var full = $"{registry.Host}/{image}";

        var answer = await WebhookFactory.ReviewAsync(factory.CreateClient(), "/mutate", Review(full, ns));

        Assert.True(answer["allowed"]!.GetValue<bool>());
        var pinned = Expected(column, image) && !image.Contains('@', StringComparison.Ordinal);
        var patch = answer["patch"] is { } encoded ? JsonNode.Parse(Convert.FromBase64String(encoded.GetValue<string>()))!.AsArray() : [];
        if (pinned)
        {
            var digest = Rows.Single(r => Reference(r) == image)[2];
            var operation = Assert.Single(patch);
            Assert.Equal("replace", operation!["op"]!.GetValue<string>());
            Assert.Equal("/spec/containers/0/image", operation["path"]!.GetValue<string>());
            Assert.Equal($"{full}@{digest}", operation["value"]!.GetValue<string>());
        }
        else
        {
            Assert.Empty(patch);
        }
    }

    [Fact]
    public async Task Validate_CriticalCveAboveTheMaximum_SaysWhichCveAndWhichEntry()
    {
        using var factory = Factory();

        var answer = await WebhookFactory.ReviewAsync(factory.CreateClient(), "/validate", Review($"{registry.Host}/shop/app:1.3", "column-s"));

        Assert.False(answer["allowed"]!.GetValue<bool>());
        Assert.Contains(
            $"container \"app\" image \"{registry.Host}/shop/app:1.3\" (sha256:a7280b1fa879) has CVE-2024-3094 CRITICAL above the allowed HIGH (entry \"entries[0]\")",
            answer["status"]!["message"]!.GetValue<string>(),
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_UnsignedImage_SaysNoSignatureByTheTrustedKey()
    {
        using var factory = Factory();

        var answer = await WebhookFactory.ReviewAsync(factory.CreateClient(), "/validate", Review($"{registry.Host}/shop/app:2.0", "column-a"));

        Assert.Contains(
            $"- imageVerification (container \"app\" image \"{registry.Host}/shop/app:2.0\" (sha256:0421e0e84e25) has no signature by any of the 1 trusted key (entry \"entries[0]\") at spec.containers[0].image)",
            answer["status"]!["message"]!.GetValue<string>(),
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readme_TheRejectionOfAnUnsignedImage_IsWhatTheWebhookAnswers()
    {
        using var factory = ReadmeFactory();

        var answer = await WebhookFactory.ReviewAsync(factory.CreateClient(), "/validate", KubectlRun($"{registry.Host}/shop/app:2.0"));

        Assert.False(answer["allowed"]!.GetValue<bool>());
        var printed = $"Error from server (Forbidden): admission webhook \"validate.pods.policywebhook.io\" denied the request: {answer["status"]!["message"]}"
            .Replace(registry.Host, "localhost:5000", StringComparison.Ordinal).Split('\n');
        var readme = ReadmeBlocks.Block(RepoPaths.Root, "verify-images-rejection");
        Assert.Equal("$ kubectl run app -n shop --image=localhost:5000/shop/app:2.0", readme[0]);
        Assert.Equal(readme.Skip(1), printed);
    }

    [Fact]
    public async Task Readme_TheDigestASignedImageIsPinnedTo_IsWhatTheMutatingWebhookWrites()
    {
        using var factory = ReadmeFactory();
        var client = factory.CreateClient();
        var review = KubectlRun($"{registry.Host}/shop/app:1.0");

        var mutated = await WebhookFactory.ReviewAsync(client, "/mutate", review);
        var pod = JsonNode.Parse(JsonNode.Parse(review)!["request"]!["object"]!.ToJsonString())!;
        var patch = JsonNode.Parse(Convert.FromBase64String(mutated["patch"]!.GetValue<string>()))!.AsArray();
        pod["spec"]!["containers"]![0]!["image"] = Assert.Single(patch)!["value"]!.GetValue<string>();
        var validated = await WebhookFactory.ReviewAsync(client, "/validate", Reviews.Of(pod.AsObject()));

        Assert.True(validated["allowed"]!.GetValue<bool>());
        var readme = ReadmeBlocks.Block(RepoPaths.Root, "verify-images-pinned");
        Assert.Equal(
            ["$ kubectl run app -n shop --image=localhost:5000/shop/app:1.0", "pod/app created", "$ kubectl get pod app -n shop -o jsonpath='{.spec.containers[0].image}'"],
            readme.Take(3));
        Assert.Equal(readme[3], pod["spec"]!["containers"]![0]!["image"]!.GetValue<string>().Replace(registry.Host, "localhost:5000", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("shop/app:9.9", "keys: [{secretRef: {name: cosign-keys, key: A.pub}}]", "could not be verified: image shop/app:9.9 does not exist in registry")]
    [InlineData("shop/app:1.0", "keys: [{secretRef: {name: not-mounted, key: A.pub}}]", "could not be verified: Secret \"not-mounted\" is not mounted into the webhook")]
    public async Task Validate_FailureThatIsNotARegistryOutage_DeniesEvenWithOnErrorAllow(string image, string keys, string expected)
    {
        // A tag pushed after admission, or a key Secret left unmounted, must not become a way around verification.
        using var factory = Factory(("tolerant.yaml", $$"""
            apiVersion: policywebhook.io/v1alpha1
            kind: ClusterPolicy
            metadata:
              name: tolerant
            spec:
              rules:
                imageVerification:
                  entries:
                    - images: ["{{registry.Host}}/*"]
                      {{keys}}
                      onError: Allow
            """));

        var answer = await WebhookFactory.ReviewAsync(factory.CreateClient(), "/validate", Review($"{registry.Host}/{image}", "shop"));

        Assert.False(answer["allowed"]!.GetValue<bool>());
        Assert.Contains(expected, answer["status"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mutate_PodUpdateThatChangesTheImage_PinsTheNewImage()
    {
        // kubectl set image: a Pod's image may change on UPDATE, and the new one must be pinned as a new pod's is.
        using var factory = Factory();
        var old = Reviews.Pod(image: $"{registry.Host}/shop/app:1.0@sha256:42db45ae16fd87c2098919d2c45ecf87ef3ce21a7075e8a6a2c2c7ff88338c7f");
        old["metadata"]!["namespace"] = "column-a";
        var updated = Reviews.Pod(image: $"{registry.Host}/shop/app:1.1");
        updated["metadata"]!["namespace"] = "column-a";

        var answer = await WebhookFactory.ReviewAsync(factory.CreateClient(), "/mutate", Reviews.Of(updated, "UPDATE", "column-a", old));

        var patch = JsonNode.Parse(Convert.FromBase64String(answer["patch"]!.GetValue<string>()))!.AsArray();
        Assert.Equal(
            $"{registry.Host}/shop/app:1.1@sha256:19db00ee5a640a9a19bd2ff662e2ddc07f7f65c5b32317d4dfc1bc3687870905",
            Assert.Single(patch)!["value"]!.GetValue<string>());
    }

    public void Dispose()
    {
        Directory.Delete(_keys, recursive: true);
        if (_policies is not null)
        {
            Directory.Delete(_policies, recursive: true);
        }
    }

    // The pod `kubectl run app -n shop --image=IMAGE` sends.
    private static string KubectlRun(string image) => Reviews.Of(JsonNode.Parse($$$"""
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"app","namespace":"shop","labels":{"run":"app"}},
         "spec":{"containers":[{"name":"app","image":"{{{image}}}","resources":{}}],"restartPolicy":"Always","dnsPolicy":"ClusterFirst"}}
        """)!.AsObject());

    // The README's policy, its registry the test's.
    private WebhookFactory ReadmeFactory() => Factory(("verify-images.yaml", $$"""
        apiVersion: policywebhook.io/v1alpha1
        kind: ClusterPolicy
        metadata:
          name: verify-images
        spec:
          rules:
            imageVerification:
              entries:
                - name: shop
                  images: [{{registry.Host}}/shop/*]
                  keys:
                    - secretRef: {name: image-verification-keys, key: release.pub}
                  onError: Deny
        """));

    private static string Review(string image, string @namespace)
    {
        var pod = Reviews.Pod(image: image);
        pod["metadata"]!["namespace"] = @namespace;
        return Reviews.Of(pod, @namespace: @namespace);
    }

    // The row's image as a pod names it: repository and tag, or repository and digest where the row has no tag.
    private static string Reference(string[] row) => row[1] == "-" ? $"{row[0]}@{row[2]}" : $"{row[0]}:{row[1]}";

    private static bool Expected(string column, string image) =>
        Rows.Single(r => Reference(r) == image)[Array.IndexOf(Header, column)] == "pass";

    // The keys as the chart mounts the Secret and ConfigMap the policies name.
    private static string MountedKeys()
    {
        var folder = Path.Combine(Path.GetTempPath(), "policywebhook-tests", Guid.NewGuid().ToString("N"));
        var keys = Path.Combine(RegistryServer.FixtureFolder, "keys");
        var secret = Directory.CreateDirectory(Path.Combine(folder, "secrets", "cosign-keys")).FullName;
        foreach (var name in new[] { "A", "B", "S" })
        {
            File.Copy(Path.Combine(keys, name, "cosign.pub"), Path.Combine(secret, $"{name}.pub"));
        }

        File.Copy(Path.Combine(keys, "ec-p256", "ec-p256.pub.pem"), Path.Combine(secret, "ec-p256.pem"));
        var readme = Directory.CreateDirectory(Path.Combine(folder, "secrets", "image-verification-keys")).FullName;
        File.Copy(Path.Combine(keys, "A", "cosign.pub"), Path.Combine(readme, "release.pub"));
        var configMap = Directory.CreateDirectory(Path.Combine(folder, "configmaps", "notation-certs")).FullName;
        File.Copy(Path.Combine(keys, "notation", "notation-fixtures.crt"), Path.Combine(configMap, "fixtures.crt"));
        return folder;
    }

    private WebhookFactory Factory() => Factory(Columns.Select(c => ($"{c.Namespace}.yaml", $"""
            apiVersion: policywebhook.io/v1alpha1
            kind: ClusterPolicy
            metadata:
              name: {c.Namespace}
            spec:
              match:
                namespaces: [{c.Namespace}]
              rules:
                imageVerification:
                  entries:
                    - images: ["{registry.Host}/*"]
                      {c.Entry}
            """)).ToArray());

    private WebhookFactory Factory(params (string Name, string Yaml)[] policies)
    {
        var folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "policywebhook-tests", Guid.NewGuid().ToString("N"))).FullName;
        foreach (var (name, yaml) in policies)
        {
            File.WriteAllText(Path.Combine(folder, name), yaml);
        }

        _policies = folder;
        return new WebhookFactory(new Dictionary<string, string?>
        {
            ["Policies:Directory"] = folder,
            ["ImageVerification:KeysDirectory"] = _keys,
            ["ImageVerification:InsecureRegistries:0"] = registry.Host,
        });
    }
}
