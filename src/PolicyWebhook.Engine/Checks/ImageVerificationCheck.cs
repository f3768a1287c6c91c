using PolicyWebhook.Engine.Evaluation;
using PolicyWebhook.Engine.Images;

namespace PolicyWebhook.Engine.Checks;

/*
 * Poisoned images: an image runs only when what it is has been verified, not what it is called.
 *
 * Restricted fields, for containers, init containers and ephemeral containers: image.
 * For every rule entry whose globs cover the image, judged on the facts gathered before evaluation (the digest the
 * image resolves to, the trusted keys whose signatures name that digest, the verified attestations about it):
 * - at least RequiredSignatures distinct keys of the entry have signed the digest;
 * - with a vulnerability requirement: an attestation by one of its keys, its newest scan no older than MaximumAge,
 *   and no finding above MaximumSeverity;
 * - with a provenance requirement: an SLSA provenance attestation by one of its keys, from an allowed builder.
 * When the registry gave no answer, OnError decides: Deny reports a violation, Allow a warning that never denies.
 * Offline (no facts at all) the check judges nothing: no registry was asked.
 */
public sealed class ImageVerificationCheck : LeastPrivilegeCheck<ImageVerificationOptions>
{
    private const int MaxListed = 3;

    // How far ahead of the webhook's clock a scan may be dated (clocks differ a little).
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    public override string Id => "imageVerification";

    public override string Title => "unsigned or unscanned images";

    public override void Evaluate(PodView pod, ImageVerificationOptions options, Findings findings)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(findings);
        if (pod.ImageFacts is not { } lookup)
        {
            return;
        }

        foreach (var container in pod.Containers)
        {
            var image = container.Image;
            if (string.IsNullOrEmpty(image))
            {
                continue;
            }

            foreach (var entry in options.Entries)
            {
                if (entry.Covers(image))
                {
                    Judge(container, image, entry, lookup.Find(entry, image), pod.Now, findings);
                }
            }
        }
    }

    /// <summary>
    /// True when the facts satisfy the entry at <paramref name="now"/>: what the host pins a digest on. The same
    /// judgement as evaluation, so the two cannot disagree.
    /// </summary>
    public static bool Passes(ImageVerificationEntry entry, ImageFacts facts, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(facts);
        return facts.Unavailable is null && facts.Failure is null && facts.Digest is not null && Problems(entry, facts, now).Count == 0;
    }

    /// <summary>
    /// What is wrong with an image for one entry, each said as it follows the image's name in a message
    /// (<c>has no signature by any of the 1 trusted key</c>); empty when the facts satisfy the entry.
    /// </summary>
    public static IReadOnlyList<ImageProblem> Problems(ImageVerificationEntry entry, ImageFacts facts, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(facts);
        if (facts.Failure is { } failure)
        {
            return [new ImageProblem($"could not be verified: {failure}", failure, "a verifiable image")];
        }

        if (facts.Unavailable is { } why)
        {
            return [entry.OnError == RegistryErrorAction.Allow
                ? new ImageProblem($"is allowed unverified: {why}", why, "a registry answer", WarningOnly: true)
                : new ImageProblem($"could not be verified: {why}", why, "a registry answer")];
        }

        // Checked without allocating first: every admission of a verified image asks twice (to pin, then to judge).
        if ((!entry.WantsSignatures || CountSigned(entry, facts) >= entry.RequiredSignatures)
            && (entry.Vulnerabilities is not { } wanted || CleanScan(wanted, facts, now))
            && entry.Provenance is null)
        {
            return [];
        }

        var problems = new List<ImageProblem>();

        if (entry.WantsSignatures)
        {
            JudgeSignatures(entry, facts, problems);
        }

        if (entry.Vulnerabilities is { } vulnerabilities)
        {
            JudgeScan(vulnerabilities, facts, now, problems);
        }

        if (entry.Provenance is { } provenance)
        {
            JudgeProvenance(provenance, facts, problems);
        }

        return problems;
    }

    private static void Judge(ContainerView container, string image, ImageVerificationEntry entry, ImageFacts? facts, DateTimeOffset now, Findings findings)
    {
        // A verified image, the common case, costs no message text.
        var problems = facts is null ? null : Problems(entry, facts, now);
        if (problems is { Count: 0 })
        {
            return;
        }

        var path = container.PathOf("image");
        var subject = $"{container.Subject} image {Text.Quote(image)}";
        var rule = $"(entry {Text.Quote(entry.Name)})";
        if (facts is null || problems is null)
        {
            findings.Add(path, $"{subject} was not verified {rule}", image, "verified");
            return;
        }

        // The digest judged is named when the pod named a tag (the tag resolved), shortened as registries' UIs show it.
        var at = facts.Unavailable is null && facts.Failure is null && facts.Digest is { } digest && !image.Contains('@', StringComparison.Ordinal) ? $"{subject} ({Short(digest)})" : subject;
        foreach (var problem in problems)
        {
            if (problem.WarningOnly)
            {
                // The reason comes first: a warning is cut near 120 characters, and a long image name must not cut it off.
                findings.AddWarning(path, $"{problem.Found}: {at} is allowed unverified {rule}", problem.Found, problem.Required);
            }
            else
            {
                findings.Add(path, $"{at} {problem.Text} {rule}", problem.Found, problem.Required);
            }
        }
    }

    // Distinct keys of the entry that signed: SignedBy holds a handful of names, so no set is needed.
    private static int CountSigned(ImageVerificationEntry entry, ImageFacts facts)
    {
        var count = 0;
        for (var i = 0; i < facts.SignedBy.Count; i++)
        {
            var name = facts.SignedBy[i];
            if (TrustedSigner(entry.Keys, entry.Keyless, name) && !SeenBefore(facts.SignedBy, i, name))
            {
                count++;
            }
        }

        return count;
    }

    // The newest scan by a trusted key is within age and has nothing above the maximum: what JudgeScan finds no fault with.
    private static bool CleanScan(VulnerabilityRequirement requirement, ImageFacts facts, DateTimeOffset now)
    {
        VulnerabilityScan? newest = null;
        foreach (var attestation in facts.Attestations)
        {
            if (attestation.PredicateType == AttestationFact.VulnerabilityPredicate && attestation.Scan is { } scan && TrustedSigner(requirement.Keys, requirement.Keyless, attestation.KeyName)
                && (newest is null || (scan.FinishedOn ?? DateTimeOffset.MinValue) > (newest.FinishedOn ?? DateTimeOffset.MinValue)))
            {
                newest = scan;
            }
        }

        if (newest is null
            || (requirement.MaximumAge is { } maximumAge && (newest.FinishedOn is not { } finished || now - finished > maximumAge || finished - now > ClockSkew)))
        {
            return false;
        }

        foreach (var vulnerability in newest.Vulnerabilities)
        {
            if (vulnerability.Severity > requirement.MaximumSeverity)
            {
                return false;
            }
        }

        return true;
    }

    private static bool Trusted(IReadOnlyList<TrustedKeySource> keys, string name)
    {
        foreach (var key in keys)
        {
            if (key.Name == name)
            {
                return true;
            }
        }

        return false;
    }

    // A signer named in facts is one of these keys or keyless identities.
    private static bool TrustedSigner(IReadOnlyList<TrustedKeySource> keys, IReadOnlyList<KeylessIdentity> keyless, string name) =>
        Trusted(keys, name) || TrustedKeyless(keyless, name);

    private static bool TrustedKeyless(IReadOnlyList<KeylessIdentity> identities, string name)
    {
        foreach (var identity in identities)
        {
            if (identity.Name == name)
            {
                return true;
            }
        }

        return false;
    }

    private static bool SeenBefore(IReadOnlyList<string> names, int index, string name)
    {
        for (var i = 0; i < index; i++)
        {
            if (names[i] == name)
            {
                return true;
            }
        }

        return false;
    }

    private static void JudgeSignatures(ImageVerificationEntry entry, ImageFacts facts, List<ImageProblem> problems)
    {
        var signed = facts.SignedBy.Where(k => TrustedSigner(entry.Keys, entry.Keyless, k)).Distinct(StringComparer.Ordinal).ToList();
        if (signed.Count >= entry.RequiredSignatures)
        {
            return;
        }

        var signers = Signers(entry);
        var required = entry.RequiredSignatures == 1
            ? $"a signature by one of {signers}"
            : $"signatures by {entry.RequiredSignatures} of {signers}";
        if (signed.Count == 0)
        {
            var other = facts.SignaturesForOtherDigests.Count > 0 ? facts.SignaturesForOtherDigests[0] : default;
            if (other.Digest is null && entry.Keyless.Count > 0 && facts.OtherKeylessSigners.Count > 0)
            {
                // Signed, and verified against the trusted root, by someone the entry does not name: say who.
                var (subject, issuer) = facts.OtherKeylessSigners[0];
                problems.Add(new ImageProblem($"is signed by {subject} (issuer {issuer}), not by any trusted identity", $"a signature by {subject}", required));
                return;
            }

            if (other.Digest is null && entry.Keyless.Count > 0 && facts.KeylessFailures.Count > 0)
            {
                // A keyless signature was there and failed a step of its verification: say which, so it can be mended.
                problems.Add(new ImageProblem($"has a keyless signature that does not verify ({facts.KeylessFailures[0]})", "a signature that does not verify", required));
                return;
            }

            var count = entry.Keys.Count + entry.Keyless.Count;
            var what = entry.Keyless.Count == 0 ? Plural(count, "key") : entry.Keys.Count == 0 ? Plural(count, "identity") : Plural(count, "signer");
            var message = other.Digest is null
                ? $"has no signature by any of the {count} trusted {what}"
                : $"is signed by {(TrustedKeyless(entry.Keyless, other.KeyName) ? "identity" : "key")} {Text.Quote(other.KeyName)} only for another digest, {Short(other.Digest)}";
            problems.Add(new ImageProblem(message, other.Digest is null ? "no trusted signature" : "a signature for " + other.Digest, required));
            return;
        }

        problems.Add(new ImageProblem(
            $"is signed by {signed.Count} of the {entry.RequiredSignatures} distinct {(entry.Keyless.Count == 0 ? "keys" : "signers")} required, {Text.QuoteAll(signed)}",
            $"{signed.Count} {Plural(signed.Count, "signature")}",
            required));
    }

    private static void JudgeScan(VulnerabilityRequirement requirement, ImageFacts facts, DateTimeOffset now, List<ImageProblem> problems)
    {
        var scans = facts.Attestations
            .Where(a => a.PredicateType == AttestationFact.VulnerabilityPredicate && a.Scan is not null && TrustedSigner(requirement.Keys, requirement.Keyless, a.KeyName))
            .OrderByDescending(a => a.Scan!.FinishedOn ?? DateTimeOffset.MinValue)
            .ToList();
        if (scans.Count == 0)
        {
            problems.Add(new ImageProblem($"has no vulnerability scan attestation signed by {Signers(requirement.Keys, requirement.Keyless)}", "no scan", "a vulnerability attestation"));
            return;
        }

        var scan = scans[0].Scan!;
        if (requirement.MaximumAge is { } maximumAge)
        {
            if (scan.FinishedOn is not { } finished)
            {
                problems.Add(new ImageProblem($"has a vulnerability scan that does not say when it finished", "no scanFinishedOn", $"a scan at most {Age(maximumAge)} old"));
            }
            else if (finished - now > ClockSkew)
            {
                // A scan dated ahead would pass every age rule for ever: a wrong clock or a forged date.
                problems.Add(new ImageProblem($"has a vulnerability scan dated in the future, {finished.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}", "a scan in the future", $"a scan at most {Age(maximumAge)} old"));
            }
            else if (now - finished > maximumAge)
            {
                problems.Add(new ImageProblem($"has a vulnerability scan {Age(now - finished)} old; the oldest allowed is {Age(maximumAge)}", Age(now - finished), $"at most {Age(maximumAge)}"));
            }
        }

        if (requirement.MaximumSeverity is { } maximum)
        {
            var above = scan.Vulnerabilities.Where(v => v.Severity > maximum).OrderByDescending(v => v.Severity).ThenBy(v => v.Id, StringComparer.Ordinal).ToList();
            if (above.Count > 0)
            {
                var listed = string.Join(", ", above.Take(MaxListed).Select(v => $"{v.Id} {Name(v.Severity)}"));
                var more = above.Count > MaxListed ? $" and {above.Count - MaxListed} more" : string.Empty;
                problems.Add(new ImageProblem($"has {listed}{more} above the allowed {Name(maximum)}", listed + more, $"nothing above {Name(maximum)}"));
            }
        }
    }

    private static void JudgeProvenance(ProvenanceRequirement requirement, ImageFacts facts, List<ImageProblem> problems)
    {
        var provenance = facts.Attestations
            .Where(a => AttestationFact.ProvenancePredicates.Contains(a.PredicateType) && TrustedSigner(requirement.Keys, requirement.Keyless, a.KeyName))
            .ToList();
        if (provenance.Count == 0)
        {
            problems.Add(new ImageProblem($"has no SLSA provenance attestation signed by {Signers(requirement.Keys, requirement.Keyless)}", "no provenance", "a provenance attestation"));
            return;
        }

        if (requirement.BuilderIds.Count > 0 && !provenance.Any(p => p.BuilderId is { } id && requirement.BuilderIds.Contains(id, StringComparer.Ordinal)))
        {
            var builders = provenance.Select(p => p.BuilderId ?? "none").Distinct(StringComparer.Ordinal).ToList();
            problems.Add(new ImageProblem(
                $"was built by {Text.QuoteAll(builders)}, not an allowed builder",
                string.Join(", ", builders),
                "one of " + Text.QuoteAll(requirement.BuilderIds)));
        }
    }

    /// <summary>A severity as scanners print it: <c>CRITICAL</c>.</summary>
    public static string Name(VulnerabilitySeverity severity) => severity.ToString().ToUpperInvariant();

    private static string Keys(IReadOnlyList<TrustedKeySource> keys) =>
        keys.Count == 1 ? $"key {Text.Quote(keys[0].Name)}" : $"keys {Text.QuoteAll(keys.Select(k => k.Name))}";

    // sha256:0421e0e84e25, the algorithm and the first 12 hex digits.
    private static string Short(string digest) => digest.IndexOf(':', StringComparison.Ordinal) is var colon and > 0 && digest.Length > colon + 13
        ? digest[..(colon + 13)]
        : digest;

    private static string Plural(int count, string word) => count == 1 ? word : word == "identity" ? "identities" : word + "s";

    // The keys and keyless identities of an entry, for "a signature by one of ...".
    private static string Signers(ImageVerificationEntry entry) => Signers(entry.Keys, entry.Keyless);

    // Keys and keyless identities, for "signed by key "scanner"" or "signed by identity "..." (issuer ...)".
    private static string Signers(IReadOnlyList<TrustedKeySource> keys, IReadOnlyList<KeylessIdentity> keyless)
    {
        if (keyless.Count == 0)
        {
            return Keys(keys);
        }

        var identities = keyless.Count == 1
            ? $"identity {Text.Quote(keyless[0].Name)} (issuer {keyless[0].Issuer})"
            : $"identities {Text.QuoteAll(keyless.Select(k => k.Name))}";
        return keys.Count == 0 ? identities : $"{Keys(keys)} or {identities}";
    }

    private static string Age(TimeSpan age) =>
        age.TotalDays >= 1 ? $"{(int)age.TotalDays} {Plural((int)age.TotalDays, "day")}"
        : age.TotalHours >= 1 ? $"{(int)age.TotalHours} {Plural((int)age.TotalHours, "hour")}"
        : $"{(int)age.TotalMinutes} {Plural((int)age.TotalMinutes, "minute")}";
}

/// <summary>One thing wrong with an image for a verification entry, worded to follow the image's name; a warning-only problem never denies.</summary>
public readonly record struct ImageProblem(string Text, string Found, string Required, bool WarningOnly = false);
