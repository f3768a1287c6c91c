using System.Text.Json;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;
using PolicyWebhook.Engine;
using PolicyWebhook.Engine.Exceptions;
using PolicyWebhook.Policies.Resources;
using PolicyWebhook.Policies.Validation;
using PolicyWebhook.Policies.Yaml;

namespace PolicyWebhook.Policies;

/// <summary>A policy read from a file, its problems if any, and its compiled form when it has none.</summary>
public sealed record LoadedPolicy(PolicyResource Resource, string Source, int Line, CompiledPolicy Compiled);

/// <summary>A PolicyException read from a file, with its compiled form.</summary>
public sealed record LoadedException(PolicyException Resource, string Source, int Line, CompiledException Compiled);

/// <summary>Everything a set of files holds: policies and their exceptions.</summary>
public sealed record PolicySet(IReadOnlyList<LoadedPolicy> Policies, IReadOnlyList<LoadedException> Exceptions);

/// <summary>One or more policies could not be loaded; <see cref="Problems"/> lists each as <c>file:line: field: problem</c>.</summary>
public sealed class PolicyLoadException : Exception
{
    public PolicyLoadException(IReadOnlyList<string> problems)
        : base("invalid policy:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  " + p))) =>
        Problems = problems;

    public PolicyLoadException()
        : this([])
    {
    }

    public PolicyLoadException(string message)
        : this([message])
    {
    }

    public PolicyLoadException(string message, Exception innerException)
        : base(message, innerException) => Problems = [message];

    public IReadOnlyList<string> Problems { get; }
}

/// <summary>
/// Loads <see cref="ClusterPolicy"/> and <see cref="Policy"/> resources from YAML, in the same shape they are applied
/// to a cluster: unknown fields are errors, every document is validated, and every problem is reported at once.
/// </summary>
public static class PolicyLoader
{
    /// <summary>How policy JSON is read: camelCase, strict about unknown fields.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        // Field names are case-sensitive, as in the API server's schema: "Mode" is not "mode".
        PropertyNameCaseInsensitive = false,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new StringOrNumberConverter() },
    };

    private static readonly PolicyValidator Validator = new();

    /// <summary>Loads every policy in the files and folders given (folders recursively, *.yaml, *.yml and *.json).</summary>
    public static IReadOnlyList<LoadedPolicy> LoadPaths(IEnumerable<string> paths) => LoadAll(paths).Policies;

    /// <summary>Loads every policy and PolicyException in the files and folders given.</summary>
    public static PolicySet LoadAll(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var documents = new List<ManifestDocument>();
        var problems = new List<string>();
        foreach (var file in ManifestFiles.Expand(paths, problems))
        {
            try
            {
                documents.AddRange(ManifestReader.ReadFile(file));
            }
            catch (ManifestReadException e)
            {
                problems.Add(e.Message);
            }
        }

        return Load(documents, problems);
    }

    /// <summary>Loads the policies of YAML text.</summary>
    public static IReadOnlyList<LoadedPolicy> LoadText(string yaml, string source) => LoadAllText(yaml, source).Policies;

    /// <summary>Loads the policies and PolicyExceptions of YAML text.</summary>
    public static PolicySet LoadAllText(string yaml, string source)
    {
        var problems = new List<string>();
        IReadOnlyList<ManifestDocument> documents = [];
        try
        {
            documents = ManifestReader.Read(yaml, source);
        }
        catch (ManifestReadException e)
        {
            problems.Add(e.Message);
        }

        return Load(documents, problems);
    }

    /// <summary>Reads one document as a policy resource, returning its problems (empty when it is valid).</summary>
    public static (PolicyResource? Policy, IReadOnlyList<string> Problems) Parse(ManifestDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var at = $"{document.Source}:{document.Line}";
        if (document.ApiVersion != PolicyApi.ApiVersion || document.Kind is not (ClusterPolicy.KindName or Policy.KindName))
        {
            return (null, [$"{at}: {document.ApiVersion}/{document.Kind} is not a policy (want apiVersion {PolicyApi.ApiVersion}, kind ClusterPolicy, Policy or PolicyException)"]);
        }

        return document.Kind == ClusterPolicy.KindName
            ? Read<ClusterPolicy, PolicyResource>(document, Validator.Validate)
            : Read<Policy, PolicyResource>(document, Validator.Validate);
    }

    /// <summary>Reads one document as a PolicyException, returning its problems (empty when it is valid).</summary>
    public static (PolicyException? Exception, IReadOnlyList<string> Problems) ParseException(ManifestDocument document, PolicyExceptionValidator? validator = null)
    {
        ArgumentNullException.ThrowIfNull(document);
        return Read<PolicyException, PolicyException>(document, (validator ?? ExceptionValidator).Validate);
    }

    /// <summary>
    /// Deserializes a document strictly as <typeparamref name="T"/> and validates it, each problem as
    /// <c>file:line: field: problem</c>; the resource is null when it could not be read at all.
    /// </summary>
    private static (TResult? Resource, IReadOnlyList<string> Problems) Read<T, TResult>(ManifestDocument document, Func<T, FluentValidation.Results.ValidationResult> validate)
        where T : class, TResult
        where TResult : class
    {
        T? resource;
        try
        {
            resource = document.Root.Deserialize<T>(JsonOptions);
        }
        catch (JsonException e)
        {
            var field = e.Path is { Length: > 2 } path ? JsonErrors.FieldPath(path) : "(document)";
            return (null, [$"{document.Source}:{document.LineOf(e.Path)}: {field}: {JsonErrors.Describe(e)}"]);
        }

        if (resource is null)
        {
            return (null, [$"{document.Source}:{document.Line}: empty document"]);
        }

        var result = validate(resource);
        return (resource, [.. result.Errors.Select(e => $"{document.Source}:{document.LineOf(e.PropertyName)}: {e.PropertyName}: {e.ErrorMessage}")]);
    }

    private static readonly PolicyExceptionValidator ExceptionValidator = new();

    private static PolicySet Load(IEnumerable<ManifestDocument> documents, List<string> problems)
    {
        var loaded = new List<LoadedPolicy>();
        var exceptions = new List<LoadedException>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var document in documents)
        {
            if (document.ApiVersion == PolicyApi.ApiVersion && document.Kind == PolicyException.KindName)
            {
                var (exception, wrong) = ParseException(document);
                if (Accept(exception, wrong, document))
                {
                    exceptions.Add(new LoadedException(exception!, document.Source, document.Line, PolicyCompiler.Compile(exception!)));
                }

                continue;
            }

            var (policy, found) = Parse(document);
            if (Accept(policy, found, document))
            {
                loaded.Add(new LoadedPolicy(policy!, document.Source, document.Line, PolicyCompiler.Compile(policy!)));
            }
        }

        // True when a resource was read without problems and its kind, namespace and name were not seen before.
        bool Accept(IKubernetesObject<V1ObjectMeta>? resource, IReadOnlyList<string> found, ManifestDocument document)
        {
            problems.AddRange(found);
            if (resource is null || found.Count > 0)
            {
                return false;
            }

            if (!names.Add($"{resource.Kind}/{resource.Metadata.NamespaceProperty}/{resource.Metadata.Name}"))
            {
                problems.Add($"{document.Source}:{document.Line}: metadata.name: {resource.Kind} \"{resource.Metadata.Name}\" is defined twice");
                return false;
            }

            return true;
        }

        if (problems.Count > 0)
        {
            throw new PolicyLoadException(problems);
        }

        return new PolicySet(loaded, exceptions);
    }

}
