using System.Text.RegularExpressions;
using FluentValidation;
using PolicyWebhook.Engine.Images;
using PolicyWebhook.Policies.Resources;
using static PolicyWebhook.Policies.ImageVerificationCompiler;

namespace PolicyWebhook.Policies.Validation;

/// <summary>
/// The rules for <c>spec.rules.imageVerification</c>: entries that cover images and require something of them, keys
/// that are each one readable source, and attestation requirements the engine can judge.
/// </summary>
internal sealed partial class ImageVerificationRuleValidator : AbstractValidator<ImageVerificationRule>
{
    public ImageVerificationRuleValidator()
    {
        RuleFor(r => r.Mode).MustBeModeAt("mode");
        RuleFor(r => r.Entries).NotEmpty()
            .WithMessage("list at least one entry: the images it covers and the keys that must have signed them").OverridePropertyName("entries");
        RuleForEach(r => r.Entries).NotNull().WithMessage("an entry must not be empty").SetValidator(new EntryValidator()).OverridePropertyName("entries");
        RuleFor(r => r.Entries).Custom((entries, context) =>
        {
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < (entries?.Count ?? 0); i++)
            {
                if (entries![i] is { } entry && !seen.TryAdd(EntryName(entry, i), i))
                {
                    context.AddFailure($"entries[{i}].name", $"{PolicyValidator.Show(EntryName(entry, i))} is the name of entries[{seen[EntryName(entry, i)]}] too; entry names must be unique");
                }
            }
        });
    }

    private sealed class EntryValidator : AbstractValidator<ImageVerificationEntrySpec>
    {
        public EntryValidator()
        {
            RuleFor(e => e.Images).NotEmpty().WithMessage("list at least one image glob, such as registry.example.com/shop/*").OverridePropertyName("images");
            RuleForEach(e => e.Images).Must(ImagesRuleValidator.IsRepositoryPattern)
                .WithMessage((_, p) => ImagesRuleValidator.RepositoryPatternProblem(p)).OverridePropertyName("images");
            RuleFor(e => e.Keys).NotEmpty().When(e => e.Attestations is null && e.Keyless is not { Count: > 0 })
                .WithMessage("list at least one key or keyless identity whose signature counts, or the attestations to require").OverridePropertyName("keys");
            RuleFor(e => e.RequiredSignatures)
                .Must((e, n) => n >= 1 && n <= Signers(e)).When(e => e.RequiredSignatures is not null)
                .WithMessage((e, n) => Signers(e) > 0
                    ? $"{n} is not between 1 and the number of keys and keyless identities, {Signers(e)}"
                    : $"{n} signatures are required but no keys are listed")
                .OverridePropertyName("requiredSignatures");
            RuleForEach(e => e.Keyless).NotNull().WithMessage("set issuer and subject (or subjectRegExp)")
                .SetValidator(new KeylessValidator()).OverridePropertyName("keyless");
            RuleFor(e => e.Keyless).Custom((identities, context) =>
            {
                var seen = new Dictionary<string, int>(StringComparer.Ordinal);
                for (var i = 0; i < (identities?.Count ?? 0); i++)
                {
                    if ((identities![i]?.Subject ?? identities[i]?.SubjectRegExp) is { } name && !seen.TryAdd(name, i))
                    {
                        context.AddFailure($"keyless[{i}]", $"{PolicyValidator.Show(name)} is the subject of keyless[{seen[name]}] too; an identity counts once");
                    }
                }
            });
            RuleForEach(e => e.TrustedRoots).Must(r => r == "built-in" || (r is { Length: > 5 and <= 253 } && r.EndsWith(".json", StringComparison.Ordinal) && DataKey().IsMatch(r)))
                .WithMessage((_, r) => $"{PolicyValidator.Show(r)} is not a trusted root (use built-in, or the name of a *.json key of the trusted roots ConfigMap)")
                .OverridePropertyName("trustedRoots");
            RuleFor(e => e.TrustedRoots).NotEmpty().When(e => e.TrustedRoots is not null)
                .WithMessage("list at least one trusted root, or leave trustedRoots out to trust every root the webhook has").OverridePropertyName("trustedRoots");
            RuleForEach(e => e.Annotations).Must(a => a.Key.Length > 0 && a.Value is not null)
                .WithMessage("an annotation needs a name and a value").OverridePropertyName("annotations");
            RuleFor(e => e.Attestations!)
                .Must(a => a.Vulnerabilities is not null || a.Provenance is not null).When(e => e.Attestations is not null)
                .WithMessage("requires nothing: set vulnerabilities, provenance or both").OverridePropertyName("attestations");
            RuleFor(e => e.Attestations!.Vulnerabilities!).SetValidator(new VulnerabilitiesValidator())
                .When(e => e.Attestations?.Vulnerabilities is not null).OverridePropertyName("attestations.vulnerabilities");
            RuleForEach(e => e.Attestations!.Vulnerabilities!.Keyless).NotNull().WithMessage("set issuer and subject (or subjectRegExp)")
                .SetValidator(new KeylessValidator()).When(e => e.Attestations?.Vulnerabilities is not null).OverridePropertyName("attestations.vulnerabilities.keyless");
            RuleForEach(e => e.Attestations!.Provenance!.Keyless).NotNull().WithMessage("set issuer and subject (or subjectRegExp)")
                .SetValidator(new KeylessValidator()).When(e => e.Attestations?.Provenance is not null).OverridePropertyName("attestations.provenance.keyless");
            RuleForEach(e => e.Attestations!.Provenance!.BuilderIds).NotEmpty().WithMessage("a builder id must not be empty")
                .When(e => e.Attestations?.Provenance is not null).OverridePropertyName("attestations.provenance.builderIds");
            RuleFor(e => e.OnError).Must(o => o is null or "Deny" or "Allow")
                .WithMessage((_, o) => $"{PolicyValidator.Show(o)} is not an action (use Deny or Allow)").OverridePropertyName("onError");
            RuleFor(e => e.Keys).Custom((_, context) => CheckKeys(context.InstanceToValidate, context));
        }

        // Every key list of the entry at once: each key one readable source, and a name standing for one key.
        private static void CheckKeys(ImageVerificationEntrySpec entry, ValidationContext<ImageVerificationEntrySpec> context)
        {
            var named = new Dictionary<string, (string Path, string List, string Source)>(StringComparer.Ordinal);
            foreach (var (list, keys, required) in new[]
            {
                ("keys", entry.Keys, false),
                (VulnerabilityKeys, entry.Attestations?.Vulnerabilities?.Keys, entry.Attestations?.Vulnerabilities is { Keyless: not { Count: > 0 } }),
                (ProvenanceKeys, entry.Attestations?.Provenance?.Keys, entry.Attestations?.Provenance is { Keyless: not { Count: > 0 } }),
            })
            {
                if (required && keys is not { Count: > 0 })
                {
                    context.AddFailure(list, "list at least one key or keyless identity the attestation must be signed by");
                }

                for (var i = 0; i < (keys?.Count ?? 0); i++)
                {
                    var path = $"{list}[{i}]";
                    if (keys![i] is not { } key)
                    {
                        context.AddFailure(path, "set one of publicKey, secretRef or configMapRef");
                        continue;
                    }

                    CheckKey(key, path, context);
                    var name = KeyName(key, list, i);
                    var source = $"{key.PublicKey?.Trim()}|{key.SecretRef?.Name}/{key.SecretRef?.Key}|{key.ConfigMapRef?.Name}/{key.ConfigMapRef?.Key}";
                    if (!named.TryAdd(name, (path, list, source)) && (named[name].List == list || named[name].Source != source))
                    {
                        context.AddFailure(
                            string.IsNullOrEmpty(key.Name) ? path : path + ".name",
                            $"{PolicyValidator.Show(name)} is the name of {named[name].Path} too; a key name stands for one key in an entry");
                    }
                }
            }
        }

        private static void CheckKey(TrustedKeySpec key, string path, ValidationContext<ImageVerificationEntrySpec> context)
        {
            // A one-of: a keyless source, when it comes, is one more line here and changes no existing policy.
            List<string> sources = [.. new (string Field, bool Set)[] { ("publicKey", key.PublicKey is not null), ("secretRef", key.SecretRef is not null), ("configMapRef", key.ConfigMapRef is not null) }
                .Where(s => s.Set).Select(s => s.Field)];
            if (sources.Count != 1)
            {
                context.AddFailure(path, sources.Count == 0
                    ? "set one of publicKey, secretRef or configMapRef"
                    : $"set only one of publicKey, secretRef and configMapRef, not {string.Join(" and ", sources)}");
                return;
            }

            if (key.PublicKey is { } pem && PublicKeyPem.Problem(pem) is { } problem)
            {
                context.AddFailure(path + ".publicKey", problem);
            }

            CheckReference(key.SecretRef, path + ".secretRef", "Secret", context);
            CheckReference(key.ConfigMapRef, path + ".configMapRef", "ConfigMap", context);
        }

        private static void CheckReference(KeyReferenceSpec? reference, string path, string kind, ValidationContext<ImageVerificationEntrySpec> context)
        {
            if (reference is null)
            {
                return;
            }

            if (string.IsNullOrEmpty(reference.Name))
            {
                context.AddFailure(path + ".name", $"required: the {kind}'s name, in the webhook's own namespace");
            }
            else if (!PolicyValidator.IsDnsSubdomain(reference.Name))
            {
                context.AddFailure(path + ".name", $"{PolicyValidator.Show(reference.Name)} is not a {kind} name (lower-case letters, digits, '-' and '.')");
            }

            if (string.IsNullOrEmpty(reference.Key))
            {
                context.AddFailure(path + ".key", $"required: the key of the {kind}'s data that holds the PEM, such as cosign.pub");
            }
            else if (reference.Key.Length > 253 || reference.Key is "." or ".." || !DataKey().IsMatch(reference.Key))
            {
                context.AddFailure(path + ".key", $"{PolicyValidator.Show(reference.Key)} is not a data key (letters, digits, '-', '_' and '.')");
            }
        }
    }

    private static int Signers(ImageVerificationEntrySpec entry) => (entry.Keys?.Count ?? 0) + (entry.Keyless?.Count ?? 0);

    private sealed class KeylessValidator : AbstractValidator<KeylessIdentitySpec>
    {
        public KeylessValidator()
        {
            RuleFor(k => k.Issuer).NotEmpty().WithMessage("required: the OIDC issuer, such as https://token.actions.githubusercontent.com").OverridePropertyName("issuer");
            RuleFor(k => k.Issuer).Must(i => Uri.TryCreate(i, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http")
                .When(k => !string.IsNullOrEmpty(k.Issuer))
                .WithMessage((_, i) => $"{PolicyValidator.Show(i)} is not an issuer URL (such as https://accounts.google.com)").OverridePropertyName("issuer");
            RuleFor(k => k).Must(k => string.IsNullOrEmpty(k.Subject) != string.IsNullOrEmpty(k.SubjectRegExp))
                .WithMessage(k => string.IsNullOrEmpty(k.Subject)
                    ? "set subject (the exact identity) or subjectRegExp"
                    : "set only one of subject and subjectRegExp").OverridePropertyName("subject");
            RuleFor(k => k.SubjectRegExp).Must(p => RegExpProblem(p) is null).When(k => !string.IsNullOrEmpty(k.SubjectRegExp))
                .WithMessage((_, p) => RegExpProblem(p)).OverridePropertyName("subjectRegExp");
            RuleFor(k => k.Extensions).Custom((extensions, context) =>
            {
                foreach (var (name, value) in extensions ?? [])
                {
                    if (!KnownExtension(name))
                    {
                        context.AddFailure("extensions." + name, $"{PolicyValidator.Show(name)} is not a Fulcio certificate extension (use {string.Join(", ", FulcioExtensions.Names)})");
                    }
                    else if (string.IsNullOrEmpty(value))
                    {
                        context.AddFailure("extensions." + name, "the value must not be empty");
                    }
                }
            });
        }

        private static bool KnownExtension(string name) => FulcioExtensions.Names.Contains(name, StringComparer.Ordinal);

        // Compiled as the verifier compiles it, so what passes here runs there.
        private static string? RegExpProblem(string? pattern) =>
            SubjectPattern.Problem(pattern ?? string.Empty) is { } problem ? $"{PolicyValidator.Show(pattern)} {problem}" : null;
    }

    private sealed class VulnerabilitiesValidator : AbstractValidator<VulnerabilityAttestationSpec>
    {
        public VulnerabilitiesValidator()
        {
            RuleFor(v => v.MaximumSeverity).Must(s => s is null || ParseSeverity(s) is not null)
                .WithMessage((_, s) => $"{PolicyValidator.Show(s)} is not a severity (use LOW, MEDIUM, HIGH or CRITICAL)").OverridePropertyName("maximumSeverity");
            RuleFor(v => v.MaximumAge).Must(a => a is null || PolicyDuration.TryParse(a, out _))
                .WithMessage((_, a) => $"{PolicyValidator.Show(a)} is not a positive duration (such as 30m, 12h or 7d)").OverridePropertyName("maximumAge");
        }
    }

    // A Secret's or ConfigMap's data key, as Kubernetes allows it (IsConfigMapKey).
    [GeneratedRegex(@"^[-._a-zA-Z0-9]+$")]
    private static partial Regex DataKey();
}
