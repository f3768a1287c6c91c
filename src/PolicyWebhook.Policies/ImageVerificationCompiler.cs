using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PolicyWebhook.Engine;
using PolicyWebhook.Engine.Images;
using PolicyWebhook.Policies.Resources;

namespace PolicyWebhook.Policies;

/// <summary>
/// Turns a validated <c>spec.rules.imageVerification</c> into the engine's <see cref="ImageVerificationOptions"/>.
/// An entry is named by its <c>name</c>, else <c>entries[i]</c>. A key is named by its <c>name</c>, else by where it
/// comes from: <c>secret NAME/KEY</c>, <c>configmap NAME/KEY</c>, or, inline, its field path in the entry
/// (<c>keys[0]</c>, <c>attestations.vulnerabilities.keys[0]</c>), so the same Secret key has the same name in every list.
/// </summary>
internal static class ImageVerificationCompiler
{
    public const string VulnerabilityKeys = "attestations.vulnerabilities.keys";
    public const string ProvenanceKeys = "attestations.provenance.keys";

    public static ImageVerificationOptions Compile(ImageVerificationRule rule, PolicyResource policy, PolicyReference reference)
    {
        var entries = rule.Entries ?? [];
        return new ImageVerificationOptions([.. entries.Select((e, i) => Compile(e, i, policy, reference))]);
    }

    /// <summary>The name messages give an entry.</summary>
    public static string EntryName(ImageVerificationEntrySpec entry, int index) =>
        string.IsNullOrEmpty(entry.Name) ? $"entries[{index}]" : entry.Name;

    /// <summary>The name messages and gathered facts give a key: its own, else <c>secret NAME/KEY</c>, <c>configmap NAME/KEY</c> or its field path.</summary>
    public static string KeyName(TrustedKeySpec key, string list, int index) =>
        !string.IsNullOrEmpty(key.Name) ? key.Name
        : key.SecretRef is { } secret ? $"secret {secret.Name}/{secret.Key}"
        : key.ConfigMapRef is { } configMap ? $"configmap {configMap.Name}/{configMap.Key}"
        : $"{list}[{index}]";

    /// <summary>The severity a policy writes, in any case: LOW, MEDIUM, HIGH or CRITICAL; null for anything else.</summary>
    public static VulnerabilitySeverity? ParseSeverity(string? text) => text?.ToUpperInvariant() switch
    {
        "LOW" => VulnerabilitySeverity.Low,
        "MEDIUM" => VulnerabilitySeverity.Medium,
        "HIGH" => VulnerabilitySeverity.High,
        "CRITICAL" => VulnerabilitySeverity.Critical,
        _ => null,
    };

    /// <summary>
    /// What verification results are cached by: the policy (its uid, else kind, namespace and name), the version of
    /// the policy, and the entry's place. The version is the API server's generation, which every change of spec
    /// bumps; a policy read from a file has neither uid nor a generation the server keeps, so there it is a digest
    /// of the entry as written. Either way a changed policy never meets results cached for the old one.
    /// </summary>
    public static string CacheKey(PolicyResource policy, PolicyReference reference, ImageVerificationEntrySpec entry, int index)
    {
        if (!string.IsNullOrEmpty(policy.Metadata.Uid))
        {
            return string.Create(CultureInfo.InvariantCulture, $"{policy.Metadata.Uid}/{policy.Metadata.Generation ?? 0}/{index}");
        }

        var owner = reference.Namespace is null ? $"{reference.Kind}/{reference.Name}" : $"{reference.Kind}/{reference.Namespace}/{reference.Name}";
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(entry, PolicyLoader.JsonOptions)));
        return string.Create(CultureInfo.InvariantCulture, $"{owner}/sha256:{Convert.ToHexStringLower(digest)[..16]}/{index}");
    }

    private static ImageVerificationEntry Compile(ImageVerificationEntrySpec entry, int index, PolicyResource policy, PolicyReference reference)
    {
        var keys = Keys(entry.Keys, "keys");
        var attestations = entry.Attestations;
        VulnerabilityRequirement? vulnerabilities = attestations?.Vulnerabilities is { } v
            ? new VulnerabilityRequirement(
                Keys(v.Keys, VulnerabilityKeys),
                ParseSeverity(v.MaximumSeverity),
                PolicyDuration.TryParse(v.MaximumAge, out var age) ? age : null)
            { Keyless = Keyless(v.Keyless) }
            : null;
        ProvenanceRequirement? provenance = attestations?.Provenance is { } p
            ? new ProvenanceRequirement(Keys(p.Keys, ProvenanceKeys), p.BuilderIds ?? []) { Keyless = Keyless(p.Keyless) }
            : null;
        var keyless = Keyless(entry.Keyless);
        return new ImageVerificationEntry(
            EntryName(entry, index),
            entry.Images ?? [],
            keys,
            entry.RequiredSignatures ?? (keys.Count + keyless.Count > 0 ? 1 : 0),
            vulnerabilities,
            provenance,
            entry.OnError == "Allow" ? RegistryErrorAction.Allow : RegistryErrorAction.Deny)
        {
            CacheKey = CacheKey(policy, reference, entry, index),
            Keyless = keyless,
            Annotations = entry.Annotations ?? [],
            TrustedRoots = entry.TrustedRoots ?? [],
        };
    }

    private static List<KeylessIdentity> Keyless(List<KeylessIdentitySpec>? identities) =>
        [.. (identities ?? []).Where(k => k is not null).Select(k => new KeylessIdentity(k.Issuer ?? string.Empty, k.Subject, k.SubjectRegExp, k.Extensions ?? []))];

    private static List<TrustedKeySource> Keys(List<TrustedKeySpec>? keys, string list) =>
        [.. (keys ?? []).Select((k, i) => new TrustedKeySource(
            KeyName(k, list, i),
            Pem: k.PublicKey?.Trim(),
            SecretName: k.SecretRef?.Name,
            ConfigMapName: k.ConfigMapRef?.Name,
            Key: k.SecretRef?.Key ?? k.ConfigMapRef?.Key))];
}
