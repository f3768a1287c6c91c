using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using k8s;
using k8s.Models;

namespace PolicyWebhook.Engine.Workloads;

/// <summary>Reads the JSON of an object whose kind carries a pod spec into its Kubernetes model type.</summary>
public static class WorkloadDecoder
{
    /// <summary>True when <paramref name="apiVersion"/> and <paramref name="kind"/> name a workload this engine checks.</summary>
    public static bool IsWorkload(string? apiVersion, string? kind)
    {
        if (kind is null || !PodSpecLocator.Kinds.ContainsKey(kind))
        {
            return false;
        }

        var slash = apiVersion?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        var group = slash < 0 ? string.Empty : apiVersion![..slash];
        return kind switch
        {
            "Pod" or "ReplicationController" or "PodTemplate" => group.Length == 0,
            "Job" or "CronJob" => group == "batch",
            _ => group is "apps" or "extensions",
        };
    }

    /// <summary>
    /// The client library's own reading settings, less <c>metadata.managedFields</c> (close to half of an object as
    /// the API server sends it) and <c>status</c>, which nothing reads, and with each distinct resource quantity
    /// parsed once (<see cref="QuantityCache"/>). Every other field is read, so a value of the wrong form anywhere is
    /// reported.
    /// </summary>
    private static readonly QuantityCache Quantities = CreateQuantityCache();

    private static readonly JsonSerializerOptions Options = CreateOptions(UnreadFields.NeverRead);

    /// <summary>The same, less every field of <see cref="UnreadFields"/>: for objects the API server has already validated.</summary>
    private static readonly JsonSerializerOptions ChecksOnlyOptions = CreateOptions(UnreadFields.ByType);

    /// <summary>Decodes a workload's JSON; throws <see cref="JsonException"/> (with the path) when it does not fit the kind.</summary>
    public static IKubernetesObject<V1ObjectMeta> Decode(string kind, string json) =>
        Decode(kind, System.Text.Encoding.UTF8.GetBytes(json ?? throw new ArgumentNullException(nameof(json))));

    /// <summary>Decodes a workload straight from UTF-8 JSON into the model type <see cref="PodSpecLocator.Kinds"/> names for it.</summary>
    public static IKubernetesObject<V1ObjectMeta> Decode(string kind, ReadOnlySpan<byte> utf8Json) => Decode(kind, utf8Json, Options);

    /// <summary>
    /// Decodes only what the checks read, skipping the fields of <see cref="UnreadFields"/> (about a sixth of the work
    /// on a typical pod). For the webhook, whose objects the API server has already decoded and validated: a value of
    /// the wrong form in a skipped field goes unreported. <see cref="Decode(string, ReadOnlySpan{byte})"/> reads all.
    /// </summary>
    public static IKubernetesObject<V1ObjectMeta> DecodeForChecks(string kind, ReadOnlySpan<byte> utf8Json) => Decode(kind, utf8Json, ChecksOnlyOptions);

    private static IKubernetesObject<V1ObjectMeta> Decode(string kind, ReadOnlySpan<byte> utf8Json, JsonSerializerOptions options)
    {
        if (!PodSpecLocator.Kinds.TryGetValue(kind, out var type))
        {
            throw new ArgumentException($"{kind} carries no pod spec", nameof(kind));
        }

        return JsonSerializer.Deserialize(utf8Json, type, options) as IKubernetesObject<V1ObjectMeta> ?? throw new JsonException("the object is null");
    }

    /// <summary>
    /// True for what the model's converters throw, besides <see cref="JsonException"/>, for a value of the wrong form
    /// (a date, a port written as a list, a broken escape): the object does not fit its kind.
    /// </summary>
    public static bool IsShapeError(Exception error) =>
        error is FormatException or NotSupportedException or InvalidOperationException or OverflowException or ArgumentException;

    /// <summary>
    /// After a model object is read, removes null entries from its lists and null values from its string maps. The
    /// API server refuses such objects, but a mutating webhook sees an object before the API server validates it,
    /// and anyone who reaches the webhook can send one: the checks must never meet a null where Kubernetes promises
    /// an object. Container lists keep theirs: the pod view skips them itself, so paths keep their real indices.
    /// </summary>
    private static void DropNullEntries(JsonTypeInfo type)
    {
        if (type.Type.Namespace != "k8s.Models")
        {
            return;
        }

        var getters = type.Properties
            .Where(p => p.Get is not null && (IsClassList(p.PropertyType) || p.PropertyType == typeof(IDictionary<string, string>)))
            .Select(p => p.Get!)
            .ToArray();
        if (getters.Length == 0)
        {
            return;
        }

        type.OnDeserialized = obj =>
        {
            foreach (var get in getters)
            {
                switch (get(obj))
                {
                    case System.Collections.IList list:
                        for (var i = list.Count - 1; i >= 0; i--)
                        {
                            if (list[i] is null)
                            {
                                list.RemoveAt(i);
                            }
                        }

                        break;
                    case IDictionary<string, string?> map when map.Values.Contains(null):
                        foreach (var key in map.Where(kv => kv.Value is null).Select(kv => kv.Key).ToList())
                        {
                            map.Remove(key);
                        }

                        break;
                }
            }
        };
    }

    private static bool IsClassList(Type type)
    {
        if (!type.IsGenericType || type.GetGenericTypeDefinition() != typeof(IList<>))
        {
            return false;
        }

        var element = type.GetGenericArguments()[0];
        return !element.IsValueType && element != typeof(V1Container) && element != typeof(V1EphemeralContainer);
    }

    /// <summary>The client library's own reading settings.</summary>
    private static JsonSerializerOptions LibraryOptions()
    {
        JsonSerializerOptions? library = null;
        KubernetesJson.AddJsonOptions(o => library = o);
        return library ?? throw new InvalidOperationException("KubernetesJson gave no options");
    }

    private static QuantityCache CreateQuantityCache() =>
        new((JsonConverter<ResourceQuantity>)LibraryOptions().GetConverter(typeof(ResourceQuantity)));

    private static JsonSerializerOptions CreateOptions(IReadOnlyDictionary<Type, IReadOnlyList<string>> skipped)
    {
        var library = LibraryOptions();
        var options = new JsonSerializerOptions(library);
        options.Converters.Insert(0, Quantities);
        options.TypeInfoResolver = (library.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver()).WithAddedModifier(type => SkipUnread(type, skipped));
        options.MakeReadOnly();
        return options;
    }

    private static void SkipUnread(JsonTypeInfo type, IReadOnlyDictionary<Type, IReadOnlyList<string>> skipped)
    {
        if (type.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }

        if (skipped.TryGetValue(type.Type, out var unread))
        {
            for (var i = type.Properties.Count - 1; i >= 0; i--)
            {
                if (unread.Contains(type.Properties[i].Name))
                {
                    type.Properties.RemoveAt(i);
                }
            }
        }

        DropNullEntries(type);
    }
}
