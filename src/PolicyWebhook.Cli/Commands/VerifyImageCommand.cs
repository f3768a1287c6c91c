using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using PolicyWebhook.Engine.Checks;
using PolicyWebhook.Engine.Images;
using PolicyWebhook.Policies;
using PolicyWebhook.Provenance;

namespace PolicyWebhook.Cli.Commands;

/// <summary>
/// <c>verify-image</c>: for CI pipelines, checks images in their registries as the webhook would at admission: a valid
/// signature by one of the <c>--key</c>s, or the image verification rules of <c>--policy</c> files.
/// </summary>
internal static class VerifyImageCommand
{
    public const string KeyEntryName = "--key";

    /// <summary>The entry the keyless flags make, when no --key is given, as messages name it.</summary>
    public const string KeylessEntryName = "--certificate-identity";

    public static string Description { get; } =
        "Verify images' signatures and attestations in their registries, as the webhook does at admission.\n"
        + "With --key alone, an image passes when a valid cosign signature by one of the keys names its digest; with --policy, "
        + "the policies' imageVerification rules apply (an image no entry covers passes).\n"
        + "Exit codes: 0 every image passes; 1 an image does not; 2 bad usage, or a registry that cannot be reached.";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Command Create(TextWriter output, TextWriter error)
    {
        var images = new Argument<string[]>("IMAGE") { Description = "Image references, such as registry.example.com/shop/app:1.0.", Arity = ArgumentArity.OneOrMore };
        var policies = new Option<string[]>("--policy", "-p") { Description = "A policy file or folder whose imageVerification rules apply (repeatable).", AllowMultipleArgumentsPerToken = false };
        var keys = new Option<string[]>("--key", "-k") { Description = "A trusted public key, a PEM file (repeatable): one valid signature by any of them passes.", AllowMultipleArgumentsPerToken = false };
        var insecure = new Option<string[]>("--insecure-registry") { Description = "A registry (HOST:PORT) reached over plain HTTP (repeatable).", AllowMultipleArgumentsPerToken = false };
        var dockerConfig = new Option<string?>("--docker-config") { Description = "A docker config.json with registry credentials. Default: none (anonymous, or a registry's anonymous token)." };
        var keysDir = new Option<string?>("--keys-dir") { Description = "The folder holding the keys policies name by Secret or ConfigMap: secrets/NAME/KEY, configmaps/NAME/KEY." };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for the registries.", DefaultValueFactory = _ => 30 };
        var format = new Option<string>("--format", "-o") { Description = "Output format: text or json.", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var identity = new Option<string?>("--certificate-identity") { Description = "A keyless signer: the exact identity (URI or email) its Fulcio certificate must name." };
        var identityPattern = new Option<string?>("--certificate-identity-regexp") { Description = "A keyless signer: a regular expression the whole identity must match, instead of --certificate-identity." };
        var issuer = new Option<string?>("--certificate-oidc-issuer") { Description = "The OIDC issuer the keyless signer's certificate must name." };
        var trustedRoot = new Option<string[]>("--trusted-root") { Description = "A Sigstore trusted_root.json for keyless signatures (repeatable). Default: the embedded public-good root.", AllowMultipleArgumentsPerToken = false };
        var command = new Command("verify-image", Description) { images, policies, keys, identity, identityPattern, issuer, trustedRoot, insecure, dockerConfig, keysDir, timeout, format };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var entries = new List<ImageVerificationEntry>();
            var keyless = KeylessSigner(parsed.GetValue(identity), parsed.GetValue(identityPattern), parsed.GetValue(issuer), error, out var keylessOk);
            if (!keylessOk || !AddKeyEntry(parsed.GetValue(keys) ?? [], keyless, entries, error) || !AddPolicyEntries(parsed.GetValue(policies) ?? [], entries, error))
            {
                return CliApp.BadInput;
            }

            if (entries.Count == 0)
            {
                error.WriteLine("error: give --key, --certificate-identity with --certificate-oidc-issuer, or --policy: nothing says which signatures to trust");
                return CliApp.BadInput;
            }

            IReadOnlyList<Provenance.Sigstore.TrustedRoot>? roots = null;
            if (parsed.GetValue(trustedRoot) is { Length: > 0 } rootFiles)
            {
                var loaded = new List<Provenance.Sigstore.TrustedRoot>();
                foreach (var file in rootFiles)
                {
                    try
                    {
                        loaded.Add(Provenance.Sigstore.TrustedRoot.Parse(await File.ReadAllBytesAsync(file, cancellationToken).ConfigureAwait(false)));
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException or Provenance.Sigstore.SigstoreVerificationException)
                    {
                        error.WriteLine($"error: --trusted-root {file}: {e.Message}");
                        return CliApp.BadInput;
                    }
                }

                roots = loaded;
            }

            string? credentials = null;
            if (parsed.GetValue(dockerConfig) is { } configFile)
            {
                try
                {
                    credentials = await File.ReadAllTextAsync(configFile, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    error.WriteLine($"error: cannot read --docker-config {configFile}: {e.Message}");
                    return CliApp.BadInput;
                }
            }

            IImageVerifier verifier;
            try
            {
                verifier = Verification.CreateVerifier(parsed.GetValue(insecure) ?? [], credentials, new DirectoryKeyMaterial(parsed.GetValue(keysDir)), roots);
            }
            catch (FormatException e)
            {
                error.WriteLine($"error: --docker-config: {e.Message}");
                return CliApp.BadInput;
            }

            var gatherer = new ImageFactsGatherer(verifier);
            var work = new List<(ImageVerificationEntry, string)>();
            var verdicts = new List<ImageVerdict>();
            foreach (var image in parsed.GetValue(images)!)
            {
                var covering = entries.Where(e => e.Covers(image)).ToList();
                work.AddRange(covering.Select(e => (e, image)));
                verdicts.Add(new ImageVerdict(image, covering));
            }

            var gathered = await gatherer.GatherAsync(work, TimeSpan.FromSeconds(Math.Max(1, parsed.GetValue(timeout))), cancellationToken).ConfigureAwait(false);
            var now = DateTimeOffset.UtcNow;
            foreach (var verdict in verdicts)
            {
                verdict.Judge(gathered, now);
            }

            if (parsed.GetValue(format) == "json")
            {
                output.WriteLine(JsonSerializer.Serialize(new { images = verdicts.Select(v => v.ToJson()) }, Json));
            }
            else
            {
                foreach (var verdict in verdicts)
                {
                    verdict.WriteText(output);
                }
            }

            return verdicts.Exists(v => v.Unavailable) ? CliApp.BadInput
                : verdicts.Exists(v => !v.Passed) ? CliApp.Denied
                : CliApp.Allowed;
        });
        return command;
    }

    // The keyless signer the flags name, or null; ok is false (and the error said) when they are given wrongly.
    private static KeylessIdentity? KeylessSigner(string? identity, string? pattern, string? issuer, TextWriter error, out bool ok)
    {
        ok = true;
        if (identity is null && pattern is null && issuer is null)
        {
            return null;
        }

        string? problem = (identity, pattern, issuer) switch
        {
            (not null, not null, _) => "give only one of --certificate-identity and --certificate-identity-regexp",
            (null, null, _) => "--certificate-oidc-issuer needs --certificate-identity or --certificate-identity-regexp",
            (_, _, null) => "--certificate-identity needs --certificate-oidc-issuer: an identity is only as good as the issuer that vouched for it",
            _ => null,
        };
        if (problem is null && pattern is not null && SubjectPattern.Problem(pattern) is { } patternProblem)
        {
            problem = $"--certificate-identity-regexp {patternProblem}";
        }

        if (problem is not null)
        {
            error.WriteLine("error: " + problem);
            ok = false;
            return null;
        }

        return new KeylessIdentity(issuer!, identity, pattern, new Dictionary<string, string>());
    }

    private static bool AddKeyEntry(string[] files, KeylessIdentity? keyless, List<ImageVerificationEntry> entries, TextWriter error)
    {
        if (files.Length == 0 && keyless is null)
        {
            return true;
        }

        var sources = new List<TrustedKeySource>();
        foreach (var file in files)
        {
            string pem;
            try
            {
                pem = File.ReadAllText(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error.WriteLine($"error: cannot read --key {file}: {e.Message}");
                return false;
            }

            if (!Provenance.Keys.TrustedKey.TryParse(pem, out _, out var problem))
            {
                error.WriteLine($"error: --key {file}: {problem}");
                return false;
            }

            sources.Add(new TrustedKeySource(file, Pem: pem));
        }

        var name = files.Length > 0 ? KeyEntryName : KeylessEntryName;
        entries.Add(new ImageVerificationEntry(name, ["*"], sources, 1, null, null, RegistryErrorAction.Deny)
        {
            CacheKey = name,
            Keyless = keyless is null ? [] : [keyless],
        });
        return true;
    }

    private static bool AddPolicyEntries(string[] paths, List<ImageVerificationEntry> entries, TextWriter error)
    {
        if (paths.Length == 0)
        {
            return true;
        }

        try
        {
            var set = PolicyLoader.LoadAll(paths);
            var found = set.Policies.Select(p => p.Compiled.ImageVerification).OfType<ImageVerificationOptions>().SelectMany(o => o.Entries).ToList();
            if (found.Count == 0)
            {
                error.WriteLine($"error: no policy in {string.Join(", ", paths)} has an imageVerification rule");
                return false;
            }

            entries.AddRange(found);
            return true;
        }
        catch (PolicyLoadException e)
        {
            error.WriteLine("error: " + e.Message);
            return false;
        }
    }

    /// <summary>One image's verdict: the entries covering it, and for each the reasons it fails (none when it passes).</summary>
    private sealed class ImageVerdict(string image, IReadOnlyList<ImageVerificationEntry> entries)
    {
        private readonly List<(string Entry, ImageFacts? Facts, IReadOnlyList<string> Reasons)> _results = [];

        public bool Passed => _results.TrueForAll(r => r.Reasons.Count == 0);

        public bool Unavailable => _results.Exists(r => r.Facts?.Unavailable is not null);

        public void Judge(GatheredImages gathered, DateTimeOffset now)
        {
            foreach (var entry in entries)
            {
                var facts = gathered.Find(entry, image);
                _results.Add((entry.Name, facts, facts is null ? ["was not verified"] : [.. ImageVerificationCheck.Problems(entry, facts, now).Select(p => p.Text)]));
            }
        }

        public void WriteText(TextWriter output)
        {
            var digest = _results.Select(r => r.Facts?.Digest).FirstOrDefault(d => d is not null);
            var shown = digest is null ? image : $"{image} ({digest})";
            if (entries.Count == 0)
            {
                output.WriteLine($"PASS {image}: no entry covers it");
                return;
            }

            if (Passed)
            {
                var signers = _results.SelectMany(r => r.Facts?.SignedBy ?? []).Distinct(StringComparer.Ordinal).ToList();
                output.WriteLine($"PASS {shown}" + (signers.Count > 0 ? $": signed by {string.Join(", ", signers.Select(s => $"\"{s}\""))}" : string.Empty));
                return;
            }

            output.WriteLine($"FAIL {shown}");
            foreach (var (entry, _, reasons) in _results)
            {
                foreach (var reason in reasons)
                {
                    output.WriteLine($"  {reason} (entry \"{entry}\")");
                }
            }
        }

        public object ToJson() => new
        {
            image,
            digest = _results.Select(r => r.Facts?.Digest).FirstOrDefault(d => d is not null),
            passed = Passed,
            entries = _results.Select(r => new
            {
                entry = r.Entry,
                signedBy = r.Facts?.SignedBy ?? [],
                unavailable = r.Facts?.Unavailable,
                failure = r.Facts?.Failure,
                reasons = r.Reasons,
            }),
        };
    }
}
