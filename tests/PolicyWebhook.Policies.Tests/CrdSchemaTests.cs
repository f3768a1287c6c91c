using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using k8s.Models;
using PolicyWebhook.Policies.Resources;
using PolicyWebhook.Policies.Yaml;

namespace PolicyWebhook.Policies.Tests;

/// <summary>Holds the CustomResourceDefinitions and the C# resource types together, field by field, both ways.</summary>
public sealed class CrdSchemaTests
{
    public static TheoryData<string, Type, string> Resources => new()
    {
        { "clusterpolicies.yaml", typeof(ClusterPolicy), "Cluster" },
        { "policies.yaml", typeof(Policy), "Namespaced" },
        { "policyexceptions.yaml", typeof(PolicyException), "Namespaced" },
    };

    private static JsonObject Crd(string file)
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "PolicyWebhook.sln")))
        {
            root = root.Parent!;
        }

        return ManifestReader.ReadFile(Path.Combine(root.FullName, "charts", "policy-webhook", "crds", file)).Single().Root;
    }

    [Theory]
    [MemberData(nameof(Resources))]
    public void Crd_Schema_MatchesTheResourceTypeFieldByField(string file, Type type, string scope)
    {
        var crd = Crd(file);
        var version = crd["spec"]!["versions"]![0]!;
        var schema = version["schema"]!["openAPIV3Schema"]!.AsObject();
        var kind = (string)crd["spec"]!["names"]!["kind"]!;
        var problems = new List<string>();

        Compare(type, schema, kind, problems);

        Assert.Empty(problems);
        Assert.Equal(scope, (string?)crd["spec"]!["scope"]);
        Assert.Equal(type.Name, kind);
        Assert.NotNull(version["subresources"]!["status"]);
        Assert.Contains(version["additionalPrinterColumns"]!.AsArray(), c => (string?)c!["name"] == "Ready");
        Assert.NotEmpty(crd["spec"]!["names"]!["shortNames"]!.AsArray());
    }

    [Fact]
    public void Crd_MissingField_IsCaughtByTheComparison()
    {
        var schema = Crd("policyexceptions.yaml")["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!.DeepClone().AsObject();
        schema["properties"]!["spec"]!["properties"]!.AsObject().Remove("justification");
        schema["properties"]!["spec"]!["properties"]!["images"] = new JsonObject { ["type"] = "boolean" };
        var problems = new List<string>();

        Compare(typeof(PolicyException), schema, "PolicyException", problems);

        Assert.Equal(
            [
                "PolicyException.spec.images: schema type boolean, C# List`1 wants array",
                "PolicyException.spec: C# field justification is not in the schema",
            ],
            problems);
    }

    private static void Compare(Type type, JsonObject schema, string path, List<string> problems)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        var want = Expected(underlying);
        var have = (string?)schema["type"];
        if (want != have)
        {
            problems.Add($"{path}: schema type {have}, C# {underlying.Name} wants {want}");
            return;
        }

        switch (want)
        {
            case "array":
                Compare(underlying.GetGenericArguments()[0], schema["items"]!.AsObject(), path + "[]", problems);
                return;
            case "object" when underlying == typeof(Dictionary<string, string>) || underlying == typeof(IDictionary<string, string>):
                if ((string?)schema["additionalProperties"]?["type"] != "string")
                {
                    problems.Add($"{path}: a string map needs additionalProperties of type string");
                }

                return;
            case "object" when underlying == typeof(V1ObjectMeta):
                return;
            case "object":
                var fields = underlying.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                    .Where(p => p.GetCustomAttribute<JsonIgnoreAttribute>() is null)
                    .ToDictionary(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(p.Name), p => p.PropertyType);
                var properties = schema["properties"]?.AsObject() ?? [];
                foreach (var (name, fieldType) in fields)
                {
                    if (properties[name] is JsonObject property)
                    {
                        Compare(fieldType, property, $"{path}.{name}", problems);
                    }
                    else
                    {
                        problems.Add($"{path}: C# field {name} is not in the schema");
                    }
                }

                foreach (var (name, _) in properties)
                {
                    if (!fields.ContainsKey(name))
                    {
                        problems.Add($"{path}: schema field {name} is not in C#");
                    }
                }

                return;
        }
    }

    private static string Expected(Type type) =>
        type == typeof(string) ? "string"
        : type == typeof(bool) ? "boolean"
        : type == typeof(int) || type == typeof(long) ? "integer"
        : type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(List<>) || type.GetGenericTypeDefinition() == typeof(IList<>)) ? "array"
        : "object";
}

/// <summary>The ready-to-apply examples in deploy/policies stay valid.</summary>
public sealed class DeployPoliciesTests
{
    [Fact]
    public void Load_DeployPolicies_AllValid()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "PolicyWebhook.sln")))
        {
            root = root.Parent!;
        }

        var set = PolicyLoader.LoadAll([Path.Combine(root.FullName, "deploy", "policies")]);

        Assert.Equal(["api-token-and-probes", "least-privilege", "namespace-isolation", "pss-baseline", "pss-restricted-warn", "trusted-registries", "verify-images"], set.Policies.Select(p => p.Resource.Metadata.Name).Order(StringComparer.Ordinal));
        Assert.Equal("legacy-billing-root", Assert.Single(set.Exceptions).Resource.Metadata.Name);
    }
}
