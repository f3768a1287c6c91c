using System.Text.Json.Nodes;

namespace PolicyWebhook.Host.Tests;

/// <summary>AdmissionReview bodies for tests: the real samples, and small hand-made ones.</summary>
internal static class Reviews
{
    public static string Sample(string name) => File.ReadAllText(RepoPaths.Sample(name));

    public static JsonObject SampleNode(string name) => JsonNode.Parse(Sample(name))!.AsObject();

    /// <summary>A review of <paramref name="obj"/> with the given operation, namespace and old object.</summary>
    public static string Of(JsonObject obj, string operation = "CREATE", string @namespace = "shop", JsonObject? oldObject = null, string? subResource = null)
    {
        var kind = obj["kind"]!.GetValue<string>();
        var apiVersion = obj["apiVersion"]!.GetValue<string>();
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        var request = new JsonObject
        {
            ["uid"] = Guid.NewGuid().ToString(),
            ["kind"] = new JsonObject { ["group"] = slash < 0 ? "" : apiVersion[..slash], ["version"] = slash < 0 ? apiVersion : apiVersion[(slash + 1)..], ["kind"] = kind },
            ["namespace"] = @namespace,
            ["name"] = obj["metadata"]?["name"]?.GetValue<string>(),
            ["operation"] = operation,
            ["userInfo"] = new JsonObject { ["username"] = "dev@example.com" },
            ["object"] = obj.DeepClone(),
            ["oldObject"] = oldObject?.DeepClone(),
            ["dryRun"] = false,
        };
        if (subResource is not null)
        {
            request["subResource"] = subResource;
        }

        return new JsonObject { ["kind"] = "AdmissionReview", ["apiVersion"] = "admission.k8s.io/v1", ["request"] = request }.ToJsonString();
    }

    /// <summary>A pod with one container, as a JSON object; <paramref name="container"/> adds fields to the container.</summary>
    public static JsonObject Pod(string name = "web", string image = "registry.example.com/web:1.2.3", string container = "")
    {
        var extra = container.Length == 0 ? "" : "," + container;
        return JsonNode.Parse($$$"""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"{{{name}}}","namespace":"shop","labels":{"app":"web"}},
             "spec":{"containers":[{"name":"app","image":"{{{image}}}"{{{extra}}}}]}}
            """)!.AsObject();
    }

    /// <summary>A pod that passes the built-in default policy.</summary>
    public static JsonObject CompliantPod(string name = "web") => Pod(name, container: """
        "securityContext":{"runAsNonRoot":true,"allowPrivilegeEscalation":false,"readOnlyRootFilesystem":true,
          "capabilities":{"drop":["ALL"]},"seccompProfile":{"type":"RuntimeDefault"}},
        "resources":{"requests":{"cpu":"100m","memory":"64Mi"},"limits":{"memory":"128Mi"}}
        """);
}
