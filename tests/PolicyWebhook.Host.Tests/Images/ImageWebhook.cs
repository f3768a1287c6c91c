using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using PolicyWebhook.Tests.Shared;

namespace PolicyWebhook.Host.Tests.Images;

/// <summary>
/// A webhook with one policy verifying every image of one registry with key A of the fixtures, mounted as the chart
/// mounts a Secret (<c>secrets/cosign-keys/A.pub</c>), for pods in every namespace but the exempt ones.
/// </summary>
internal sealed class ImageWebhook : IDisposable
{
    private ImageWebhook(string folder, WebhookFactory factory)
    {
        Folder = folder;
        Factory = factory;
        Client = factory.CreateClient();
    }

    public string Folder { get; }

    /// <summary>The mounted key folder: <c>secrets/cosign-keys/A.pub</c> holds the trusted key.</summary>
    public string Keys => Path.Combine(Folder, "keys");

    public WebhookFactory Factory { get; }

    public HttpClient Client { get; }

    /// <summary>A webhook trusting key A for <paramref name="registry"/>'s images, with the entry's <c>onError</c> and extra settings.</summary>
    public static ImageWebhook Start(string registry, string onError = "Deny", IDictionary<string, string?>? settings = null, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null) =>
        Start([registry], onError, settings, services);

    /// <summary>A webhook trusting key A for the images of every one of <paramref name="registries"/>, each reached over plain HTTP.</summary>
    public static ImageWebhook Start(string[] registries, string onError = "Deny", IDictionary<string, string?>? settings = null, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null) =>
        StartWithEntries(
            registries,
            $$$"""
                - name: shop
                  images: [{{{string.Join(", ", registries.Select(r => $"\"{r}/*\""))}}}]
                  keys: [{secretRef: {name: cosign-keys, key: A.pub}}]
                  onError: {{{onError}}}
            """,
            settings,
            services);

    /// <summary>A webhook whose one policy <c>signed-images</c> has these entries (YAML list items at column 0), for the images of <paramref name="registries"/>.</summary>
    public static ImageWebhook StartWithEntries(string[] registries, string entries, IDictionary<string, string?>? settings = null, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null)
    {
        var folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "policywebhook-tests", Guid.NewGuid().ToString("N"))).FullName;
        var policies = Directory.CreateDirectory(Path.Combine(folder, "policies")).FullName;
        var indented = string.Join('\n', entries.ReplaceLineEndings("\n").Split('\n').Select(l => l.Length == 0 ? l : "          " + l));
        File.WriteAllText(Path.Combine(policies, "signed.yaml"), $"""
            apiVersion: policywebhook.io/v1alpha1
            kind: ClusterPolicy
            metadata:
              name: signed-images
            spec:
              rules:
                imageVerification:
                  entries:

            """ + indented + "\n");
        var secret = Directory.CreateDirectory(Path.Combine(folder, "keys", "secrets", "cosign-keys")).FullName;
        File.Copy(KeyFile("A"), Path.Combine(secret, "A.pub"));
        var all = new Dictionary<string, string?>
        {
            ["Policies:Directory"] = policies,
            ["ImageVerification:KeysDirectory"] = Path.Combine(folder, "keys"),
        };
        for (var i = 0; i < registries.Length; i++)
        {
            all[$"ImageVerification:InsecureRegistries:{i}"] = registries[i];
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        return new ImageWebhook(folder, new WebhookFactory(all) { ReplaceServices = services });
    }

    /// <summary>The public key of fixture signer A, B or S.</summary>
    public static string KeyFile(string signer) => Path.Combine(RegistryServer.FixtureFolder, "keys", signer, "cosign.pub");

    /// <summary>A review of a one-container pod running <paramref name="image"/> in <paramref name="namespace"/>.</summary>
    public static string PodReview(string image, string @namespace = "shop", string operation = "CREATE", JsonObject? oldPod = null)
    {
        var pod = Reviews.Pod(image: image);
        pod["metadata"]!["namespace"] = @namespace;
        return Reviews.Of(pod, operation, @namespace, oldPod);
    }

    /// <summary>Posts a review with the API server's <c>?timeout=</c> and returns its answer's <c>response</c>.</summary>
    public async Task<JsonObject> ReviewAsync(string review, string timeout = "5s", string path = "/validate")
    {
        using var content = new StringContent(review, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json");
        using var response = await Client.PostAsync(new Uri($"{path}?timeout={timeout}", UriKind.Relative), content, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!["response"]!.AsObject();
    }

    public void Dispose()
    {
        Client.Dispose();
        Factory.Dispose();
        Directory.Delete(Folder, recursive: true);
    }
}

/// <summary>What tests read from an admission answer.</summary>
internal static class Answers
{
    public static bool Allowed(this JsonObject response) => response["allowed"]!.GetValue<bool>();

    public static string Message(this JsonObject response) => response["status"]?["message"]?.GetValue<string>() ?? string.Empty;

    public static IReadOnlyList<string> Warnings(this JsonObject response) =>
        response["warnings"] is JsonArray warnings ? [.. warnings.Select(w => w!.GetValue<string>())] : [];

    public static string? Annotation(this JsonObject response, string key) => response["auditAnnotations"]?[key]?.GetValue<string>();
}
