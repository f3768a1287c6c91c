using System.Collections.Concurrent;
using System.Security.Cryptography;
using PolicyWebhook.Engine.Images;

namespace PolicyWebhook.Provenance;

/// <summary>
/// Trusted keys inline, or from the Secrets and ConfigMaps mounted under one folder, as the chart mounts those the
/// operator names (<c>secrets/&lt;name&gt;/&lt;key&gt;</c>, <c>configmaps/&lt;name&gt;/&lt;key&gt;</c>). The webhook so reads
/// no Secret through the API, and the kubelet keeps the files current when a key is rotated.
/// </summary>
/// <param name="folder">The folder the chart mounts them under; null when none is.</param>
/// <param name="recheckInterval">How long a key file's fingerprint is trusted before the file is read again (two seconds when null).</param>
/// <param name="time">The clock for that interval; the system clock when null.</param>
public sealed class DirectoryKeyMaterial(string? folder, TimeSpan? recheckInterval = null, TimeProvider? time = null) : IKeyMaterial
{
    private const string Missing = "-";

    private readonly TimeSpan _recheck = recheckInterval ?? TimeSpan.FromSeconds(2);
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ConcurrentDictionary<string, Stamp> _fingerprints = new(StringComparer.Ordinal);

    public string ReadPem(TrustedKeySource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Pem is { } pem)
        {
            return pem;
        }

        var (kind, name, key) = source.SecretName is { } secret ? ("Secret", secret, source.Key ?? string.Empty)
            : source.ConfigMapName is { } configMap ? ("ConfigMap", configMap, source.Key ?? string.Empty)
            : throw new KeyMaterialException($"key \"{source.Name}\" names no PEM, Secret or ConfigMap");
        if (FileOf(source) is not { } file)
        {
            throw new KeyMaterialException($"key \"{source.Name}\": {kind} \"{name}\" key \"{key}\" is not a valid name");
        }

        if (folder is null || !Directory.Exists(Path.GetDirectoryName(file)))
        {
            throw new KeyMaterialException(
                $"{kind} \"{name}\" is not mounted into the webhook; list it in the chart's imageVerification.{(kind == "Secret" ? "keySecrets" : "keyConfigMaps")}");
        }

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

    /// <summary>
    /// The first 8 bytes of the SHA-256 of the key file, in hex (<c>-</c> when it cannot be read), read again at most
    /// once per recheck interval: a key rotated in its Secret counts for new verdicts within that interval.
    /// </summary>
    public string Fingerprint(TrustedKeySource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Pem is not null || folder is null || FileOf(source) is not { } file)
        {
            return string.Empty;
        }

        var now = _time.GetUtcNow();
        if (_fingerprints.TryGetValue(file, out var stamp) && now - stamp.ReadAt < _recheck)
        {
            return stamp.Fingerprint;
        }

        string fingerprint;
        try
        {
            fingerprint = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)).AsSpan(0, 8));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            fingerprint = Missing;
        }

        _fingerprints[file] = new Stamp(fingerprint, now);
        return fingerprint;
    }

    // The file a Secret or ConfigMap key is mounted as; null for one that names neither, or a name that could leave the folder.
    private string? FileOf(TrustedKeySource source)
    {
        var (subfolder, name) = source.SecretName is { } secret ? ("secrets", secret)
            : source.ConfigMapName is { } configMap ? ("configmaps", configMap)
            : (null, null);
        var key = source.Key ?? string.Empty;
        return subfolder is null || !Safe(name!) || !Safe(key) ? null : Path.Combine(folder ?? string.Empty, subfolder, name!, key);
    }

    // A Kubernetes name or data key never holds a path separator or is a dot-only segment.
    private static bool Safe(string segment) =>
        segment.Length > 0 && segment is not ("." or "..") && segment.IndexOfAny(['/', '\\', '\0']) < 0;

    private sealed record Stamp(string Fingerprint, DateTimeOffset ReadAt);
}
