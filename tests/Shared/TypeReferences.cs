using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace PolicyWebhook.Tests.Shared;

/// <summary>The types an assembly names, read from its metadata: what the layering tests hold against the forbidden ones.</summary>
internal static class TypeReferences
{
    /// <summary>Every referenced type as <c>Namespace.Name</c>.</summary>
    public static List<string> Of(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        using var stream = File.OpenRead(assembly.Location);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        return [.. reader.TypeReferences.Select(h => reader.GetTypeReference(h)).Select(t => reader.GetString(t.Namespace) + "." + reader.GetString(t.Name))];
    }
}
