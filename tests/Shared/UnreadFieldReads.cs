using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.Json.Serialization;
using PolicyWebhook.Engine.Workloads;

namespace PolicyWebhook.Tests.Shared;

/// <summary>
/// Holds <see cref="UnreadFields"/> to the code: which of the fields the decoder skips an assembly reads anyway, found
/// as calls to the model properties' getters in its metadata.
/// </summary>
internal static class UnreadFieldReads
{
    /// <summary>Every skipped field that <paramref name="assembly"/> reads, as <c>Type.Property (json name)</c>.</summary>
    public static List<string> In(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var skipped = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (type, names) in UnreadFields.ByType)
        {
            foreach (var property in type.GetProperties())
            {
                var json = property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name;
                if (json is not null && names.Contains(json))
                {
                    skipped[type.Name + ".get_" + property.Name] = $"{type.Name}.{property.Name} ({json})";
                }
            }
        }

        using var stream = File.OpenRead(assembly.Location);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var reads = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var handle in reader.MemberReferences)
        {
            var member = reader.GetMemberReference(handle);
            if (member.Parent.Kind != HandleKind.TypeReference)
            {
                continue;
            }

            var parent = reader.GetTypeReference((TypeReferenceHandle)member.Parent);
            if (reader.GetString(parent.Namespace) == "k8s.Models"
                && skipped.TryGetValue(reader.GetString(parent.Name) + "." + reader.GetString(member.Name), out var field))
            {
                reads.Add(field);
            }
        }

        return [.. reads];
    }
}
