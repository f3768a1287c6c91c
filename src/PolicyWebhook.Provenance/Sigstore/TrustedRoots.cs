namespace PolicyWebhook.Provenance.Sigstore;

/// <summary>The Sigstore trusted roots keyless signatures are verified against: the embedded public-good root and an operator's own.</summary>
public static class TrustedRoots
{
    /// <summary>
    /// Every <c>*.json</c> file of <paramref name="directory"/> (where the chart mounts a ConfigMap of trusted roots),
    /// in name order, after the embedded public-good root unless <paramref name="includeEmbedded"/> is false. Throws
    /// <see cref="FormatException"/> naming the file when one is not a trusted root: a root that does not parse
    /// must stop the server from starting, not leave keyless images silently unverifiable.
    /// </summary>
    public static IReadOnlyList<TrustedRoot> Load(string? directory, bool includeEmbedded = true)
    {
        var roots = new List<TrustedRoot>();
        if (includeEmbedded)
        {
            roots.Add(TrustedRoot.Production);
        }

        if (string.IsNullOrEmpty(directory) || !Directory.Exists(directory))
        {
            return roots;
        }

        // Names that start with a dot are the kubelet's own (..data, ..2026_12_08...), each file again.
        foreach (var file in Directory.EnumerateFiles(directory, "*.json").Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal))
        {
            try
            {
                var root = TrustedRoot.Parse(File.ReadAllBytes(file));
                root.Name = Path.GetFileName(file);
                roots.Add(root);
            }
            catch (SigstoreVerificationException e)
            {
                throw new FormatException($"{file}: not a Sigstore trusted root: {e.Message}", e);
            }
        }

        return roots;
    }
}
