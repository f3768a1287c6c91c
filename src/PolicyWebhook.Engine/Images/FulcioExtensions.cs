namespace PolicyWebhook.Engine.Images;

/// <summary>
/// The Fulcio certificate extensions a keyless identity may require, by their Sigstore names, with their OIDs
/// (Sigstore's OID directory, 1.3.6.1.4.1.57264.1.*). Their values are DER UTF8Strings.
/// </summary>
public static class FulcioExtensions
{
    private static readonly (string Name, string Oid)[] All =
    [
        ("buildSignerURI", "1.3.6.1.4.1.57264.1.9"),
        ("buildSignerDigest", "1.3.6.1.4.1.57264.1.10"),
        ("runnerEnvironment", "1.3.6.1.4.1.57264.1.11"),
        ("sourceRepositoryURI", "1.3.6.1.4.1.57264.1.12"),
        ("sourceRepositoryDigest", "1.3.6.1.4.1.57264.1.13"),
        ("sourceRepositoryRef", "1.3.6.1.4.1.57264.1.14"),
        ("sourceRepositoryIdentifier", "1.3.6.1.4.1.57264.1.15"),
        ("sourceRepositoryOwnerURI", "1.3.6.1.4.1.57264.1.16"),
        ("sourceRepositoryOwnerIdentifier", "1.3.6.1.4.1.57264.1.17"),
        ("buildConfigURI", "1.3.6.1.4.1.57264.1.18"),
        ("buildConfigDigest", "1.3.6.1.4.1.57264.1.19"),
        ("buildTrigger", "1.3.6.1.4.1.57264.1.20"),
        ("runInvocationURI", "1.3.6.1.4.1.57264.1.21"),
        ("sourceRepositoryVisibilityAtSigning", "1.3.6.1.4.1.57264.1.22"),
    ];

    /// <summary>The names an identity's <c>extensions</c> may use.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. All.Select(e => e.Name)];

    /// <summary>The OID of a named extension, or null.</summary>
    public static string? OidOf(string name)
    {
        foreach (var (known, oid) in All)
        {
            if (known == name)
            {
                return oid;
            }
        }

        return null;
    }
}
