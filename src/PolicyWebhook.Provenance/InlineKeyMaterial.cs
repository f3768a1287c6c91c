using PolicyWebhook.Engine.Images;

namespace PolicyWebhook.Provenance;

/// <summary>Key material for keys given inline as PEM (the command line, tests); a Secret or ConfigMap key is for the host to read.</summary>
public sealed class InlineKeyMaterial : IKeyMaterial
{
    public string ReadPem(TrustedKeySource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Pem is { } pem)
        {
            return pem;
        }

        var from = source.SecretName is { } secret ? $"Secret {secret}"
            : source.ConfigMapName is { } configMap ? $"ConfigMap {configMap}"
            : "no PEM, Secret or ConfigMap";
        var key = source.Key is null ? string.Empty : $" key {source.Key}";
        throw new KeyMaterialException($"trusted key {source.Name} comes from {from}{key}: only inline PEM is read here, the host must read the others");
    }

    /// <summary>Inline PEM is part of the policy, whose generation the cache key already holds.</summary>
    public string Fingerprint(TrustedKeySource source) => string.Empty;
}
