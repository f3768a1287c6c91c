using PolicyWebhook.Engine.Images;

namespace PolicyWebhook.Provenance;

/// <summary>
/// Trusted keys inline, or from the Secrets and ConfigMaps mounted under one folder, as the chart mounts those the
/// operator names (<c>secrets/&lt;name&gt;/&lt;key&gt;</c>, <c>configmaps/&lt;name&gt;/&lt;key&gt;</c>). The webhook so reads
/// no Secret through the API, and the kubelet keeps the files current when a key is rotated.
/// </summary>
public sealed class DirectoryKeyMaterial(string? folder) : IKeyMaterial
{
    public string ReadPem(TrustedKeySource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Pem is { } pem)
        {
            return pem;
        }

        var (kind, subfolder, name) = source.SecretName is { } secret ? ("Secret", "secrets", secret)
            : source.ConfigMapName is { } configMap ? ("ConfigMap", "configmaps", configMap)
            : throw new KeyMaterialException($"key \"{source.Name}\" names no PEM, Secret or ConfigMap");
        var key = source.Key ?? string.Empty;
        if (!Safe(name) || !Safe(key))
        {
            throw new KeyMaterialException($"key \"{source.Name}\": {kind} \"{name}\" key \"{key}\" is not a valid name");
        }

        if (folder is null || !Directory.Exists(Path.Combine(folder, subfolder, name)))
        {
            throw new KeyMaterialException(
                $"{kind} \"{name}\" is not mounted into the webhook; list it in the chart's imageVerification.{(kind == "Secret" ? "keySecrets" : "keyConfigMaps")}");
        }

        var file = Path.Combine(folder, subfolder, name, key);
        try
        {
            return File.ReadAllText(file);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new KeyMaterialException($"{kind} \"{name}\" has no key \"{key}\"", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KeyMaterialException($"{kind} \"{name}\" key \"{key}\" cannot be read ({e.GetType().Name})", e);
        }
    }

    // A Kubernetes name or data key never holds a path separator or is a dot-only segment.
    private static bool Safe(string segment) =>
        segment.Length > 0 && segment is not ("." or "..") && segment.IndexOfAny(['/', '\\', '\0']) < 0;
}
