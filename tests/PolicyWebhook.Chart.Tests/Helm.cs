using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PolicyWebhook.Chart.Tests;

/// <summary>Runs the Helm binary that tools/install-helm.sh puts in .tools/ against the chart in charts/policy-webhook.</summary>
internal static class Helm
{
    public const string Release = "pw";
    public const string Namespace = "policy-webhook";

    public static string Root { get; } = FindRoot();

    public static string Chart => Path.Combine(Root, "charts", "policy-webhook");

    public static string Binary
    {
        get
        {
            var path = Environment.GetEnvironmentVariable("HELM") is { Length: > 0 } set ? set : Path.Combine(Root, ".tools", "helm");
            return File.Exists(path)
                ? path
                : throw new InvalidOperationException($"Helm is not installed at {path}: run tools/install-helm.sh first (the README's test command does).");
        }
    }

    /// <summary>The values files of charts/policy-webhook/ci, by file name.</summary>
    public static IEnumerable<string> CiValuesFiles() =>
        Directory.EnumerateFiles(Path.Combine(Chart, "ci"), "*-values.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal)!;

    public static string CiValues(string name) => Path.Combine(Chart, "ci", name);

    /// <summary>The example CA of ci/certs-supplied-values.yaml, as PEM: a certificate no render of the chart signed.</summary>
    public static string SuppliedCaPem()
    {
        var values = File.ReadAllText(CiValues("certs-supplied-values.yaml"));
        return values[values.IndexOf("-----BEGIN", StringComparison.Ordinal)..].Replace("      ", "", StringComparison.Ordinal);
    }

    /// <summary>A base64 field of a rendered object (Secret data, a caBundle) as the text it encodes.</summary>
    public static string Base64Text(JsonNode? base64) => System.Text.Encoding.UTF8.GetString(Convert.FromBase64String((string)base64!));

    /// <summary>Runs helm with the arguments; the exit code and both outputs.</summary>
    public static (int ExitCode, string Output, string Error) Run(params string[] args) => Exec(Binary, args);

    /// <summary>Runs a program from the repository root with Helm's state kept in a temporary folder; the exit code and both outputs.</summary>
    public static (int ExitCode, string Output, string Error) Exec(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Root,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // Keep Helm away from any kubeconfig or cache of the machine running the tests.
        start.Environment["KUBECONFIG"] = Path.Combine(Path.GetTempPath(), "policywebhook-no-kubeconfig");
        start.Environment["HELM_CACHE_HOME"] = Path.Combine(Path.GetTempPath(), "policywebhook-helm", "cache");
        start.Environment["HELM_CONFIG_HOME"] = Path.Combine(Path.GetTempPath(), "policywebhook-helm", "config");
        start.Environment["HELM_DATA_HOME"] = Path.Combine(Path.GetTempPath(), "policywebhook-helm", "data");
        start.Environment["HELM"] = Binary;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error.Result);
    }

    /// <summary><c>helm template</c> with the given values files (names in ci/ or paths) and <c>--set</c> pairs; fails the test when Helm refuses.</summary>
    public static Rendered Template(string[]? valuesFiles = null, string[]? set = null, string ns = Namespace, bool includeHooks = true)
    {
        var (exitCode, output, error) = Run(TemplateArgs(valuesFiles, set, ns, includeHooks));
        Assert.True(exitCode == 0, $"helm template failed: {error}");
        return new Rendered(output);
    }

    /// <summary><c>helm template</c> expected to fail; its error text.</summary>
    public static string TemplateError(string[]? valuesFiles = null, string[]? set = null, string ns = Namespace)
    {
        var (exitCode, _, error) = Run(TemplateArgs(valuesFiles, set, ns, includeHooks: true));
        Assert.True(exitCode != 0, "helm template succeeded where it should have refused the values");
        return error;
    }

    private static string[] TemplateArgs(string[]? valuesFiles, string[]? set, string ns, bool includeHooks)
    {
        var args = new List<string> { "template", Release, Chart, "--namespace", ns };
        if (!includeHooks)
        {
            args.Add("--no-hooks");
        }

        foreach (var file in valuesFiles ?? [])
        {
            args.AddRange(["--values", Path.IsPathRooted(file) ? file : CiValues(file)]);
        }

        foreach (var pair in set ?? [])
        {
            args.AddRange(["--set", pair]);
        }

        return [.. args];
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PolicyWebhook.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("PolicyWebhook.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>The objects of one render, as JSON, with lookups by kind and name.</summary>
internal sealed class Rendered
{
    public Rendered(string yaml)
    {
        Text = yaml;
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        Objects = [.. stream.Documents.Select(d => ToJson(d.RootNode)).OfType<JsonObject>()];
    }

    public string Text { get; }

    public IReadOnlyList<JsonObject> Objects { get; }

    public IEnumerable<JsonObject> OfKind(string kind) => Objects.Where(o => (string?)o["kind"] == kind);

    public JsonObject Single(string kind) => Assert.Single(OfKind(kind));

    public JsonObject Single(string kind, string name) => Assert.Single(OfKind(kind), o => (string?)o["metadata"]!["name"] == name);

    public JsonObject? Find(string kind, string name) => OfKind(kind).SingleOrDefault(o => (string?)o["metadata"]!["name"] == name);

    /// <summary>Every webhook of every Validating- and MutatingWebhookConfiguration.</summary>
    public IEnumerable<JsonObject> Webhooks() =>
        OfKind("ValidatingWebhookConfiguration").Concat(OfKind("MutatingWebhookConfiguration")).SelectMany(c => c["webhooks"]!.AsArray().Select(w => w!.AsObject()));

    public JsonObject Webhook(string name) => Assert.Single(Webhooks(), w => (string?)w["name"] == name);

    /// <summary>YAML as the API server reads it: plain scalars that look like numbers, booleans or null are those.</summary>
    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(p => KeyValuePair.Create(((YamlScalarNode)p.Key).Value!, ToJson(p.Value)))),
        YamlSequenceNode list => new JsonArray([.. list.Children.Select(ToJson)]),
        YamlScalarNode { Style: ScalarStyle.Plain, Value: var v } => v switch
        {
            null or "" or "null" or "~" => null,
            "true" => JsonValue.Create(true),
            "false" => JsonValue.Create(false),
            _ when int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i) => JsonValue.Create(i),
            _ when long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => JsonValue.Create(l),
            _ when double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => JsonValue.Create(d),
            _ => JsonValue.Create(v),
        },
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        _ => null,
    };
}
